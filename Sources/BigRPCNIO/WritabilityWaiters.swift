/// Writers waiting for a channel to become writable again, by the stream
/// (or call) they write for, so that one stream ending releases its own
/// writer while the channel stays full. Used on the event loop only.
struct WritabilityWaiters<ID: Hashable> {
    private var waiters: [(id: ID, continuation: CheckedContinuation<Void, any Error>)] = []

    mutating func append(_ id: ID, _ continuation: CheckedContinuation<Void, any Error>) {
        waiters.append((id, continuation))
    }

    /// The channel is writable: every writer goes on.
    mutating func resumeAll() {
        let resumed = waiters
        waiters.removeAll()
        for waiter in resumed { waiter.continuation.resume() }
    }

    /// The connection is gone: every writer fails with `error`.
    mutating func failAll(_ error: any Error) {
        let failed = waiters
        waiters.removeAll()
        for waiter in failed { waiter.continuation.resume(throwing: error) }
    }

    /// Stream `id` ended: its writers go on (`error` nil) or fail with `error`.
    mutating func release(_ id: ID, throwing error: (any Error)?) {
        guard waiters.contains(where: { $0.id == id }) else { return }
        var kept: [(id: ID, continuation: CheckedContinuation<Void, any Error>)] = []
        for waiter in waiters {
            guard waiter.id == id else {
                kept.append(waiter)
                continue
            }
            if let error { waiter.continuation.resume(throwing: error) } else { waiter.continuation.resume() }
        }
        waiters = kept
    }
}
