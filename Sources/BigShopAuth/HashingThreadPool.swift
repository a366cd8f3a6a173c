import DedicatedThread
import Dispatch
import Synchronization

/// A fixed set of threads, owned by the pool, that run jobs from a bounded
/// queue with two priority classes.
///
/// Password hashing is deliberately slow CPU work (~0.3 s per hash at the
/// default cost). Run on Swift's cooperative pool (one thread per core) it
/// would stall every other task of the process; run on an event loop it would
/// stall that loop's connections. On these threads it only competes for the
/// CPU, and at most `threadCount` hashes run at once however many calls
/// arrive; the rest wait in the queue.
///
/// The queue serves every waiting ``HashingPriority/login`` job before any
/// ``HashingPriority/register`` one, first in first out within a class, so
/// that a flood of sign-ups cannot delay a customer's Login by more than the
/// hashes already running. It is bounded (see ``HashingQueueLimits``): past
/// the bound, ``submit(_:priority:admission:)`` refuses the job at once with
/// an estimate of when to retry, instead of letting waits grow without end.
final class HashingThreadPool: Sendable {
    /// A unit of work; it must not throw and must not block on the pool itself.
    typealias Job = @Sendable () -> Void

    /// Whether a job is subject to the queue's bounds.
    enum Admission: Sendable {
        /// Refused when its class is full: every call from the network.
        case bounded
        /// Always queued: the startup admin, which must not fail for load.
        case unbounded
    }

    /// What became of a submitted job.
    enum Submission: Equatable, Sendable {
        /// Queued; ``withdraw(_:)`` takes it back with this ticket.
        case queued(ticket: UInt64)
        /// Refused, not queued: the queue is full for its class. `retryAfter`
        /// estimates when the jobs ahead of it will have started.
        case full(retryAfter: Duration)
        /// Refused, not queued: the pool is closed.
        case closed
    }

    /// The number of threads.
    let threadCount: Int
    let limits: HashingQueueLimits
    private let queue: JobQueue

    /// Starts `threadCount` threads named `<name><index>` (visible in `top -H`).
    ///
    /// - Throws: ``PasswordHasherError/threadStartFailed(errno:)``.
    init(threadCount: Int, limits: HashingQueueLimits = HashingQueueLimits(), name: String) throws {
        precondition(threadCount >= 1, "a pool needs at least one thread")
        self.threadCount = threadCount
        self.limits = limits
        self.queue = JobQueue(limits: limits, threadCount: threadCount)
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

    /// Queues `job` behind the jobs of its class and of every class ahead of
    /// it, unless the queue is full for it or closed.
    func submit(_ job: @escaping Job, priority: HashingPriority, admission: Admission = .bounded) -> Submission {
        queue.enqueue(job, priority: priority, admission: admission)
    }

    /// Removes a queued job that has not started (its caller gave up), so
    /// that it no longer takes a place in the queue. Returns whether it was
    /// still queued.
    @discardableResult
    func withdraw(_ ticket: UInt64) -> Bool {
        queue.withdraw(ticket)
    }

    /// Refuses new jobs; the threads finish the queued ones, then exit.
    func close() {
        queue.close(wakingThreads: threadCount)
    }

    /// Jobs waiting for a thread and jobs running, now.
    var depth: HashingQueueDepth {
        queue.depth
    }

    /// The jobs and the signal that wakes the threads. Shared by the pool and
    /// its threads, so that the pool can be released (and close the queue)
    /// while the threads still run.
    private final class JobQueue: Sendable {
        private struct Entry {
            var ticket: UInt64
            var job: Job
        }

        /// One priority class's waiting jobs, oldest first.
        private struct Lane {
            var entries: [Entry?] = []
            var head = 0
            /// Live entries (withdrawn ones leave a nil behind until reached).
            var count = 0

            mutating func append(_ entry: Entry) {
                entries.append(entry)
                count += 1
            }

            mutating func popFirst() -> Entry? {
                while head < entries.count {
                    let entry = entries[head].take()
                    head += 1
                    if let entry {
                        count -= 1
                        compact()
                        return entry
                    }
                }
                compact()
                return nil
            }

            /// O(n) in the lane, which is bounded by the queue's limits.
            mutating func remove(_ ticket: UInt64) -> Bool {
                guard let index = entries[head...].firstIndex(where: { $0?.ticket == ticket }) else { return false }
                entries[index] = nil
                count -= 1
                compact()
                return true
            }

            private mutating func compact() {
                if count == 0 {
                    entries.removeAll(keepingCapacity: true)
                    head = 0
                } else if head >= 64, head * 2 >= entries.count {
                    entries.removeFirst(head)
                    head = 0
                }
            }
        }

        private struct State {
            var login = Lane()
            var register = Lane()
            var running = 0
            var nextTicket: UInt64 = 0
            var isClosed = false
            /// A moving average of how long a job runs, for retry estimates;
            /// nil until one has run.
            var averageJobSeconds: Double?
        }

        private let limits: HashingQueueLimits
        private let threadCount: Int
        private let state = Mutex(State())
        /// Signalled once per queued job, plus once per thread once closed. A
        /// withdrawn job leaves its signal behind: a thread then wakes, finds
        /// nothing and waits again.
        private let wakeups = DispatchSemaphore(value: 0)

        init(limits: HashingQueueLimits, threadCount: Int) {
            self.limits = limits
            self.threadCount = threadCount
        }

        func enqueue(_ job: @escaping Job, priority: HashingPriority, admission: Admission) -> Submission {
            let submission: Submission = state.withLock { state in
                guard !state.isClosed else { return .closed }
                let waiting = state.login.count + state.register.count
                if admission == .bounded {
                    switch priority {
                    case .login:
                        if waiting >= limits.queued || expectedWait(jobsAhead: state.login.count, state) > limits.maxWait {
                            return .full(retryAfter: retryEstimate(jobsAhead: state.login.count, state))
                        }
                    case .register:
                        if waiting >= limits.queued || state.register.count >= limits.registerQueued
                            || expectedWait(jobsAhead: waiting, state) > limits.maxWait
                        {
                            return .full(retryAfter: retryEstimate(jobsAhead: waiting, state))
                        }
                    }
                }
                state.nextTicket += 1
                let entry = Entry(ticket: state.nextTicket, job: job)
                switch priority {
                case .login: state.login.append(entry)
                case .register: state.register.append(entry)
                }
                return .queued(ticket: entry.ticket)
            }
            if case .queued = submission { wakeups.signal() }
            return submission
        }

        func withdraw(_ ticket: UInt64) -> Bool {
            state.withLock { state in
                state.login.remove(ticket) || state.register.remove(ticket)
            }
        }

        func close(wakingThreads count: Int) {
            let wasOpen = state.withLock { state in
                defer { state.isClosed = true }
                return !state.isClosed
            }
            guard wasOpen else { return }
            for _ in 0..<count { wakeups.signal() }
        }

        var depth: HashingQueueDepth {
            state.withLock { state in
                HashingQueueDepth(login: state.login.count, register: state.register.count, running: state.running)
            }
        }

        /// A thread's life: run jobs until the queue is closed and drained.
        func runJobs() {
            while true {
                wakeups.wait()
                switch next() {
                case .job(let job):
                    let started = ContinuousClock.now
                    job()
                    finished(after: ContinuousClock.now - started)
                case .nothing:
                    continue
                case .exit:
                    return
                }
            }
        }

        private enum Next {
            case job(Job)
            /// The job this wakeup stood for was withdrawn.
            case nothing
            case exit
        }

        /// The next job: Login class first.
        private func next() -> Next {
            state.withLock { state in
                guard let entry = state.login.popFirst() ?? state.register.popFirst() else {
                    return state.isClosed ? .exit : .nothing
                }
                state.running += 1
                return .job(entry.job)
            }
        }

        /// Records a job that ran for `duration`.
        private func finished(after duration: Duration) {
            let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
            state.withLock { state in
                state.running -= 1
                state.averageJobSeconds = state.averageJobSeconds.map { $0 * 0.8 + seconds * 0.2 } ?? seconds
            }
        }

        /// When a job with `jobsAhead` queued before it would start: those
        /// jobs and itself share the threads, once the running ones end.
        /// How long a job queued behind `jobsAhead` others may wait for a
        /// thread; zero until a job has run.
        private func expectedWait(jobsAhead: Int, _ state: State) -> Duration {
            guard let perJob = state.averageJobSeconds else { return .zero }
            return .milliseconds(Int64(min(perJob * Double(jobsAhead) / Double(threadCount), 86_400) * 1000))
        }

        private func retryEstimate(jobsAhead: Int, _ state: State) -> Duration {
            let perJob = state.averageJobSeconds ?? 0.25
            let seconds = perJob * Double(jobsAhead + 1) / Double(threadCount)
            let milliseconds = min(max(seconds * 1000, 50), 60_000).rounded(.up)
            return .milliseconds(Int64(milliseconds))
        }
    }
}
