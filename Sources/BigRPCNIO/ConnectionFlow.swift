import NIOCore

/// What the client's and the server's connection handlers share about
/// moving bytes: the channel's writability (mirrored for writers off the
/// event loop), writers waiting for it, streams whose full queues pause
/// reading, and one flush per event loop tick. Used on the event loop only,
/// except ``writable``.
final class ConnectionFlow<ID: Hashable> {
    /// The channel's writability, read by writers off the event loop so the
    /// common case (writable) needs no round trip.
    let writable = AtomicFlag()
    /// Writers waiting for the channel to drain, by the stream they write for,
    /// so that one stream ending releases its own writer while the channel
    /// stays full.
    private var waiters: [(id: ID, continuation: CheckedContinuation<Void, any Error>)] = []
    /// Streams whose inbound queue asked the connection to stop reading.
    private var pausedStreams: Set<ID> = []
    private var readPending = false
    private let flusher = Flusher()

    // MARK: Writability

    /// The channel's writability changed: when writable, every waiting writer goes on.
    func writabilityChanged(_ isWritable: Bool) {
        writable.set(isWritable)
        if isWritable { resumeWriters { $0.resume() } }
    }

    /// Makes `continuation` wait until the channel is writable or stream `id` ends.
    func wait(_ id: ID, _ continuation: CheckedContinuation<Void, any Error>) {
        waiters.append((id, continuation))
    }

    /// Stream `id` ended: its writers go on (`error` nil) or fail with `error`.
    func releaseWriters(of id: ID, throwing error: (any Error)?) {
        guard waiters.contains(where: { $0.id == id }) else { return }
        let released = waiters.filter { $0.id == id }
        waiters.removeAll { $0.id == id }
        for waiter in released {
            if let error { waiter.continuation.resume(throwing: error) } else { waiter.continuation.resume() }
        }
    }

    /// The connection is gone: every writer fails with `error`, nothing stays paused.
    func closed(_ error: any Error) {
        pausedStreams.removeAll()
        resumeWriters { $0.resume(throwing: error) }
    }

    private func resumeWriters(_ resume: (CheckedContinuation<Void, any Error>) -> Void) {
        let resumed = waiters
        waiters.removeAll()
        for waiter in resumed { resume(waiter.continuation) }
    }

    // MARK: Reading

    /// Stream `id`'s queue is full: the connection stops reading.
    func pause(_ id: ID) {
        pausedStreams.insert(id)
    }

    /// Stream `id` drained its queue or ended; true when it had paused reading.
    @discardableResult
    func unpause(_ id: ID) -> Bool {
        pausedStreams.remove(id) != nil
    }

    /// The channel asks to read: reads unless a stream is paused or the
    /// handler holds reading (`held`), then remembers to read later.
    func read(_ context: ChannelHandlerContext, held: Bool = false) {
        if pausedStreams.isEmpty && !held {
            context.read()
        } else {
            readPending = true
        }
    }

    /// Reads if a read was held back and nothing holds it any more.
    func resumeReading(_ context: ChannelHandlerContext, held: Bool = false) {
        guard readPending, pausedStreams.isEmpty, !held else { return }
        readPending = false
        context.read()
    }

    // MARK: Flushing

    /// Flushes once per event loop tick: writes of many streams in the same
    /// tick leave in one syscall. `flush` runs on the loop.
    func scheduleFlush(on eventLoop: any EventLoop, _ flush: @escaping () -> Void) {
        flusher.schedule(on: eventLoop, flush)
    }
}

/// At most one pending flush. Not generic, so its event-loop closure
/// captures no type parameter.
private final class Flusher {
    private var scheduled = false

    func schedule(on eventLoop: any EventLoop, _ flush: @escaping () -> Void) {
        guard !scheduled else { return }
        scheduled = true
        let bound = NIOLoopBound((flusher: self, flush: flush), eventLoop: eventLoop)
        eventLoop.execute {
            bound.value.flusher.scheduled = false
            bound.value.flush()
        }
    }
}
