import Synchronization

/// One call waiting for a ``HashingThreadPool`` thread: the work, and the
/// continuation of the caller suspended until it is done.
///
/// A caller cancelled while its job is still queued is resumed at once with
/// `CancellationError`, and the job is withdrawn from the queue (or, if a
/// thread races to it, skipped), so abandoned logins (a client gone, a
/// deadline passed) cost no hashing and hold no place in the queue. Once a
/// thread has started the work, it runs to the end.
final class PoolJob<Value: Sendable>: Sendable {
    private enum Phase {
        /// Created; the caller has not suspended yet.
        case created(cancelled: Bool)
        /// Queued, the caller suspended on the continuation.
        case queued(CheckedContinuation<Value, any Error>)
        /// Taken by a thread, or finished one way or another.
        case taken
    }

    private struct State {
        var phase = Phase.created(cancelled: false)
        /// The pool's ticket, once queued: what a cancellation withdraws.
        var ticket: UInt64?
    }

    private let body: @Sendable () throws -> Value
    private let state = Mutex(State())

    init(_ body: @escaping @Sendable () throws -> Value) {
        self.body = body
    }

    /// Hands over the caller's continuation. Returns false if the caller was
    /// already cancelled: the continuation has then been resumed, and the job
    /// must not be queued.
    func attach(_ continuation: CheckedContinuation<Value, any Error>) -> Bool {
        let cancelled: Bool = state.withLock { state in
            // Attached once, by PasswordHasher.run; a second attach would
            // find another phase and is refused like a cancelled caller
            // rather than trapping.
            guard case .created(let cancelled) = state.phase else { return true }
            state.phase = cancelled ? .taken : .queued(continuation)
            return cancelled
        }
        if cancelled { continuation.resume(throwing: CancellationError()) }
        return !cancelled
    }

    /// Records the pool's ticket for the queued job. Returns false if the
    /// caller left meanwhile: the job should then be withdrawn at once.
    func queued(as ticket: UInt64) -> Bool {
        state.withLock { state in
            state.ticket = ticket
            if case .taken = state.phase { return false }
            return true
        }
    }

    /// On a pool thread: runs the work and resumes the caller, unless the
    /// caller was cancelled meanwhile.
    func execute() {
        guard let continuation = take() else { return }
        continuation.resume(with: Result { try body() })
    }

    /// Resumes the caller with `error` if the job has not started.
    func fail(_ error: any Error) {
        take()?.resume(throwing: error)
    }

    /// The caller's task was cancelled. Returns the ticket to withdraw if the
    /// job was queued (its caller has now been resumed).
    func cancel() -> UInt64? {
        let (continuation, ticket): (CheckedContinuation<Value, any Error>?, UInt64?) = state.withLock { state in
            switch state.phase {
            case .created:
                state.phase = .created(cancelled: true)
                return (nil, nil)
            case .queued(let continuation):
                state.phase = .taken
                return (continuation, state.ticket)
            case .taken:
                return (nil, nil)
            }
        }
        continuation?.resume(throwing: CancellationError())
        return ticket
    }

    private func take() -> CheckedContinuation<Value, any Error>? {
        state.withLock { state in
            guard case .queued(let continuation) = state.phase else { return nil }
            state.phase = .taken
            return continuation
        }
    }
}
