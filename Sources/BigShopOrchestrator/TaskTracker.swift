import Synchronization

/// The tasks the orchestrator runs on its own: flows shielded from their
/// caller's cancellation, compensations started in the background. Closing
/// cancels and awaits them, so nothing touches the database afterwards.
final class TaskTracker: Sendable {
    private struct Entry: Sendable {
        let cancel: @Sendable () -> Void
        let wait: @Sendable () async -> Void
    }

    private struct State {
        var nextID: UInt64 = 0
        var running: [UInt64: Entry] = [:]
        var isClosed = false
    }

    private let state = Mutex(State())

    /// Runs `body` in a new task, not a child of the caller's: the caller's
    /// cancellation does not reach it. After ``cancelAllAndWait()`` the task
    /// fails at once with `CancellationError`.
    func start<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) -> Task<T, any Error> {
        state.withLock { state in
            guard !state.isClosed else { return Task { throw CancellationError() } }
            let id = state.nextID
            state.nextID += 1
            // The task removes itself when done; it takes the lock held here
            // and so cannot finish before its entry is in.
            let task = Task<T, any Error> {
                defer { self.finished(id) }
                return try await body()
            }
            state.running[id] = Entry(cancel: { task.cancel() }, wait: { _ = await task.result })
            return task
        }
    }

    /// Cancels every running task, refuses new ones, and returns when all
    /// have ended.
    func cancelAllAndWait() async {
        let entries = state.withLock { state in
            state.isClosed = true
            return Array(state.running.values)
        }
        for entry in entries { entry.cancel() }
        for entry in entries { await entry.wait() }
    }

    private func finished(_ id: UInt64) {
        _ = state.withLock { $0.running.removeValue(forKey: id) }
    }
}
