import DedicatedThread
import Dispatch
import Synchronization

/// A fixed set of threads, owned by the pool, that run jobs in the order they
/// were submitted (FIFO).
///
/// Password hashing is deliberately slow CPU work (~0.3 s per hash at the
/// default cost). Run on Swift's cooperative pool (one thread per core) it
/// would stall every other task of the process; run on an event loop it would
/// stall that loop's connections. On these threads it only competes for the
/// CPU, and at most `threadCount` hashes run at once however many logins
/// arrive; the rest wait in the queue.
final class HashingThreadPool: Sendable {
    /// A unit of work; it must not throw and must not block on the pool itself.
    typealias Job = @Sendable () -> Void

    /// The number of threads.
    let threadCount: Int
    private let queue = JobQueue()

    /// Starts `threadCount` threads named `<name><index>` (visible in `top -H`).
    ///
    /// - Throws: ``PasswordHasherError/threadStartFailed(errno:)``.
    init(threadCount: Int, name: String) throws {
        precondition(threadCount >= 1, "a pool needs at least one thread")
        self.threadCount = threadCount
        for index in 0..<threadCount {
            let queue = self.queue
            let result = DedicatedThread.start(name: "\(name)\(index)") { queue.runJobs() }
            if result != 0 {
                queue.close(wakingThreads: index)
                throw PasswordHasherError.threadStartFailed(errno: result)
            }
        }
    }

    deinit {
        queue.close(wakingThreads: threadCount)
    }

    /// Queues `job`. Returns false, without running it, once the pool is closed.
    func submit(_ job: @escaping Job) -> Bool {
        queue.enqueue(job)
    }

    /// Refuses new jobs; the threads finish the queued ones, then exit.
    func close() {
        queue.close(wakingThreads: threadCount)
    }

    /// Jobs waiting for a thread (not counting those running).
    var pendingCount: Int {
        queue.pendingCount
    }

    /// The jobs and the signal that wakes the threads. Shared by the pool and
    /// its threads, so that the pool can be released (and close the queue)
    /// while the threads still run.
    private final class JobQueue: Sendable {
        private struct State {
            var jobs: [Job?] = []
            var head = 0
            var isClosed = false
        }

        private let state = Mutex(State())
        /// Counts queued jobs, plus one per thread once closed.
        private let wakeups = DispatchSemaphore(value: 0)

        func enqueue(_ job: @escaping Job) -> Bool {
            let accepted = state.withLock { state in
                guard !state.isClosed else { return false }
                state.jobs.append(job)
                return true
            }
            if accepted { wakeups.signal() }
            return accepted
        }

        func close(wakingThreads count: Int) {
            let wasOpen = state.withLock { state in
                defer { state.isClosed = true }
                return !state.isClosed
            }
            guard wasOpen else { return }
            for _ in 0..<count { wakeups.signal() }
        }

        var pendingCount: Int {
            state.withLock { $0.jobs.count - $0.head }
        }

        /// A thread's life: run jobs until the queue is closed and drained.
        func runJobs() {
            while true {
                wakeups.wait()
                guard let job = next() else { return }
                job()
            }
        }

        /// The oldest job, or nil when the queue is empty (only once closed:
        /// each wakeup before that stands for a queued job).
        private func next() -> Job? {
            state.withLock { state in
                guard state.head < state.jobs.count else { return nil }
                let job = state.jobs[state.head].take()
                state.head += 1
                if state.head == state.jobs.count {
                    state.jobs.removeAll(keepingCapacity: true)
                    state.head = 0
                } else if state.head >= 256, state.head * 2 >= state.jobs.count {
                    state.jobs.removeFirst(state.head)
                    state.head = 0
                }
                return job
            }
        }
    }
}
