import Synchronization

/// One call waiting for a ``HashingThreadPool`` thread: the work, and the
/// continuation of the caller suspended until it is done.
///
/// A caller cancelled while its job is still queued is resumed at once with
/// `CancellationError`, and the job is skipped when a thread reaches it, so
/// abandoned logins (a client gone, a deadline passed) cost no hashing. Once a
/// thread has started the work, it runs to the end.
final class PoolJob<Value: Sendable>: Sendable {
    private enum State {
        /// Created; the caller has not suspended yet.
        case created(cancelled: Bool)
        /// Queued, the caller suspended on the continuation.
        case queued(CheckedContinuation<Value, any Error>)
        /// Taken by a thread, or finished one way or another.
        case taken
    }

    private let body: @Sendable () throws -> Value
    private let state = Mutex(State.created(cancelled: false))

    init(_ body: @escaping @Sendable () throws -> Value) {
        self.body = body
    }

    /// Hands over the caller's continuation. Returns false if the caller was
    /// already cancelled: the continuation has then been resumed, and the job
    /// must not be queued.
    func attach(_ continuation: CheckedContinuation<Value, any Error>) -> Bool {
        let cancelled: Bool = state.withLock { state in
            guard case .created(let cancelled) = state else { preconditionFailure("a job is attached once") }
            state = cancelled ? .taken : .queued(continuation)
            return cancelled
        }
        if cancelled { continuation.resume(throwing: CancellationError()) }
        return !cancelled
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

    /// The caller's task was cancelled.
    func cancel() {
        let continuation: CheckedContinuation<Value, any Error>? = state.withLock { state in
            switch state {
            case .created:
                state = .created(cancelled: true)
                return nil
            case .queued(let continuation):
                state = .taken
                return continuation
            case .taken:
                return nil
            }
        }
        continuation?.resume(throwing: CancellationError())
    }

    private func take() -> CheckedContinuation<Value, any Error>? {
        state.withLock { state in
            guard case .queued(let continuation) = state else { return nil }
            state = .taken
            return continuation
        }
    }
}
