import Dispatch
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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
            do {
                try Self.startThread(name: "\(name)\(index)") { queue.runJobs() }
            } catch {
                queue.close(wakingThreads: index)
                throw error
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

    // MARK: Threads

    /// Boxes a thread's name and body for the C entry point.
    private final class ThreadStart {
        let name: String
        let body: @Sendable () -> Void

        init(name: String, body: @escaping @Sendable () -> Void) {
            self.name = name
            self.body = body
        }
    }

    private static func startThread(name: String, _ body: @escaping @Sendable () -> Void) throws {
        let context = Unmanaged.passRetained(ThreadStart(name: name, body: body)).toOpaque()
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        #if canImport(Glibc)
        var thread = pthread_t()
        #else
        var thread: pthread_t?
        #endif
        let result = pthread_create(&thread, &attributes, threadEntry, context)
        guard result == 0 else {
            Unmanaged<ThreadStart>.fromOpaque(context).release()
            throw PasswordHasherError.threadStartFailed(errno: result)
        }
    }

    private static let threadEntry: @convention(c) (UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? = { raw in
        guard let raw else { return nil }
        let start = Unmanaged<ThreadStart>.fromOpaque(raw).takeRetainedValue()
        nameCurrentThread(start.name)
        start.body()
        return nil
    }

    /// Names the calling thread, best effort (at most 15 bytes are kept).
    private static func nameCurrentThread(_ name: String) {
        #if os(Linux)
        // Glibc's pthread_setname_np is not imported into Swift.
        let fd = open("/proc/thread-self/comm", O_WRONLY)
        guard fd >= 0 else { return }
        let bytes = Array(name.utf8.prefix(15))
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        _ = Glibc.close(fd)
        #elseif canImport(Darwin)
        _ = pthread_setname_np(name)
        #endif
    }
}
