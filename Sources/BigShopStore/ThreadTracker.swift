import Synchronization

/// Counts a database's running threads so that ``Database/close()`` can wait, without
/// blocking, until every thread has closed its connection and exited.
final class ThreadTracker: Sendable {
    private struct State {
        var running = 0
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())

    /// Call before starting a thread.
    func threadStarting() {
        state.withLock { $0.running += 1 }
    }

    /// Call as the last action of a thread.
    func threadFinished() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.running -= 1
            guard state.running == 0 else { return [] }
            defer { state.waiters.removeAll() }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Number of threads still running.
    var runningCount: Int { state.withLock { $0.running } }

    /// Returns once no thread is running.
    func waitUntilAllFinished() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let finished = state.withLock { state -> Bool in
                if state.running == 0 { return true }
                state.waiters.append(continuation)
                return false
            }
            if finished { continuation.resume() }
        }
    }
}
