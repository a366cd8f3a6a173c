import BigShopTestSupport
import Dispatch
import Foundation
import Synchronization
import Testing

@testable import BigShopAuth

@Suite("PasswordHasher")
struct PasswordHasherTests {
    @Test func hashesOnItsOwnThreads() async throws {
        let hasher = try PasswordHasher(iterations: 1_000, threadCount: 2)
        defer { hasher.close() }
        let caller = currentThreadName()
        let worker = try await hasher.run { currentThreadName() }
        #expect(worker.hasPrefix("bigshop-pwhash"))
        #expect(worker != caller)
        #expect(!caller.hasPrefix("bigshop-pwhash"))
    }

    @Test func normalizesPasswordsToNFKC() async throws {
        let hasher = try PasswordHasher(iterations: 1_000, threadCount: 1)
        defer { hasher.close() }
        // "ﬁ" ligature and a decomposed "é", against their NFKC forms.
        let stored = try await hasher.hash("\u{FB01}rst cafe\u{301}", priority: .register)
        #expect(try await hasher.verify("first café", against: stored))
        #expect(try await !hasher.verify("first cafe", against: stored))
        #expect(PasswordHasher.bytes(of: "\u{FB01}rst cafe\u{301}") == Array("first café".utf8))
    }

    /// Both threads held by gated jobs: the rest wait in the queue, and
    /// Swift's task pool is not blocked meanwhile. Jobs are submitted to the
    /// pool directly (synchronously), so nothing depends on when tasks get
    /// scheduled on a loaded machine.
    @Test func runsAtMostThreadCountJobsAtOnce() async throws {
        let pool = try HashingThreadPool(threadCount: 2, name: "test-pool")
        defer { pool.close() }
        let gate = Gate()
        let started = Recorder()
        let done = Countdown(6)
        for index in 0..<2 {
            #expect(
                pool.submitted {
                    started.append(index)
                    gate.wait()
                    done.tick()
                })
        }
        #expect(await eventually { pool.depth.running == 2 })
        for index in 2..<6 {
            #expect(
                pool.submitted {
                    started.append(index)
                    done.tick()
                })
        }
        #expect(pool.depth == HashingQueueDepth(login: 4, register: 0, running: 2))

        // Both hashing threads are blocked; Swift's task pool is not.
        let sum = await withTaskGroup(of: Int.self) { tasks in
            for value in 1...100 { tasks.addTask { value } }
            return await tasks.reduce(0, +)
        }
        #expect(sum == 5050)
        #expect(started.values.count == 2)
        #expect(pool.depth.waiting == 4)

        gate.open()
        #expect(await eventually { done.isDone })
        let order = started.values
        #expect(Set(order.prefix(2)) == [0, 1])
        #expect(order.sorted() == Array(0..<6))
    }

    @Test func servesQueuedJobsFirstInFirstOutWithinAClass() async throws {
        let pool = try HashingThreadPool(threadCount: 1, name: "test-pool")
        defer { pool.close() }
        let gate = Gate()
        let order = Recorder()
        let done = Countdown(10)
        #expect(pool.submitted { gate.wait() })
        #expect(await eventually { pool.depth.running == 1 })
        for index in 0..<5 {
            #expect(
                pool.submitted(priority: .register) {
                    order.append(100 + index)
                    done.tick()
                })
            #expect(
                pool.submitted(priority: .login) {
                    order.append(index)
                    done.tick()
                })
        }
        gate.open()
        #expect(await eventually { done.isDone })
        #expect(order.values == [0, 1, 2, 3, 4, 100, 101, 102, 103, 104])
    }

    /// The finding of issue 11: a Login queued behind a flood of Registers
    /// runs before all of them, and the flood beyond the Register share of
    /// the queue is refused at once. Shown by the order of completion with
    /// the only thread held, not by timing.
    @Test func aLoginQueuedAfterManyRegistersRunsFirst() async throws {
        let limits = HashingQueueLimits(queued: 16, registerQueued: 8)
        let pool = try HashingThreadPool(threadCount: 1, limits: limits, name: "test-pool")
        defer { pool.close() }
        let gate = Gate()
        let order = Recorder()
        let done = Countdown(9)
        #expect(pool.submitted(priority: .register) { gate.wait() })
        #expect(await eventually { pool.depth.running == 1 })

        var refused = 0
        for index in 0..<100 {
            switch pool.submit(
                {
                    order.append(100 + index)
                    done.tick()
                }, priority: .register)
            {
            case .queued: break
            case .full(let retryAfter):
                refused += 1
                #expect(retryAfter > .zero)
            case .closed: Issue.record("the pool is open")
            }
        }
        #expect(refused == 92)
        #expect(pool.depth == HashingQueueDepth(login: 0, register: 8, running: 1))

        // The Register share is full, the queue is not: a Login gets in.
        #expect(
            pool.submitted(priority: .login) {
                order.append(0)
                done.tick()
            })
        gate.open()
        #expect(await eventually { done.isDone })
        #expect(order.values == [0] + Array(100..<108))
    }

    @Test func aFullQueueRefusesLoginsToo() async throws {
        let pool = try HashingThreadPool(threadCount: 1, limits: HashingQueueLimits(queued: 3, registerQueued: 1), name: "test-pool")
        defer { pool.close() }
        let gate = Gate()
        #expect(pool.submitted { gate.wait() })
        #expect(await eventually { pool.depth.running == 1 })
        for _ in 0..<3 { #expect(pool.submitted(priority: .login) {}) }
        guard case .full = pool.submit({}, priority: .login) else {
            Issue.record("a fourth waiting Login must be refused")
            gate.open()
            return
        }
        guard case .full = pool.submit({}, priority: .register) else {
            Issue.record("a Register must be refused when the whole queue is full")
            gate.open()
            return
        }
        // The startup admin is never refused for load.
        #expect(pool.submitted(priority: .register, admission: .unbounded) {})
        gate.open()
        #expect(await eventually { pool.depth == HashingQueueDepth(login: 0, register: 0, running: 0) })
    }

    @Test func aQueueSlowerThanItsWaitBoundRefusesBeforeItIsFull() async throws {
        // Each job takes ~0.1 s on one thread; a wait bound of 0.25 s admits
        // about two jobs ahead, far fewer than the 30 places.
        let limits = HashingQueueLimits(queued: 30, registerQueued: 30, maxWait: .milliseconds(250))
        let pool = try HashingThreadPool(threadCount: 1, limits: limits, name: "test-pool")
        defer { pool.close() }
        #expect(pool.submitted { usleep(100_000) })
        #expect(await eventually { pool.depth.running == 0 && pool.depth.waiting == 0 })
        let gate = Gate()
        #expect(pool.submitted { gate.wait() })
        #expect(await eventually { pool.depth.running == 1 })
        var queued = 0
        while queued < 30, pool.submitted(priority: .login, {}) { queued += 1 }
        #expect(queued >= 1 && queued <= 4, "queued \(queued) logins behind a 0.25 s bound")
        guard case .full(let retryAfter) = pool.submit({}, priority: .login) else {
            Issue.record("a Login past the wait bound must be refused")
            gate.open()
            return
        }
        #expect(retryAfter > .zero)
        gate.open()
        #expect(await eventually { pool.depth == HashingQueueDepth(login: 0, register: 0, running: 0) })
    }

    @Test func aCancelledCallerLeavesAtOnceAndItsJobIsWithdrawn() async throws {
        let hasher = try PasswordHasher(
            iterations: 1_000, threadCount: 1, queueLimits: HashingQueueLimits(queued: 1, registerQueued: 1)
        )
        defer { hasher.close() }
        let gate = Gate()
        let ran = Recorder()
        let blocker = Task { try await hasher.run { gate.wait() } }
        #expect(await eventually(timeout: .seconds(60)) { hasher.depth.running == 1 })
        let queued = Task { try await hasher.run { ran.append(1) } }
        #expect(await eventually(timeout: .seconds(60)) { hasher.depth.waiting == 1 })

        queued.cancel()
        await #expect(throws: CancellationError.self) { try await queued.value }
        // Withdrawn: its place is free although the thread is still busy.
        #expect(hasher.depth == HashingQueueDepth(login: 0, register: 0, running: 1))
        let next = Task { try await hasher.run { ran.append(2) } }
        #expect(await eventually(timeout: .seconds(60)) { hasher.depth.waiting == 1 })

        gate.open()
        try await blocker.value
        try await next.value
        #expect(ran.values == [2])
    }

    @Test func aFullQueueIsAnErrorWithARetryEstimate() async throws {
        let hasher = try PasswordHasher(
            iterations: 1_000, threadCount: 1, queueLimits: HashingQueueLimits(queued: 2, registerQueued: 1)
        )
        defer { hasher.close() }
        let gate = Gate()
        let blocker = Task { try await hasher.run { gate.wait() } }
        #expect(await eventually(timeout: .seconds(60)) { hasher.depth.running == 1 })
        let waiting = Task { try await hasher.hash("correct horse", priority: .register) }
        #expect(await eventually(timeout: .seconds(60)) { hasher.depth.register == 1 })

        do {
            _ = try await hasher.hash("battery staple", priority: .register)
            Issue.record("a second waiting Register must be refused")
        } catch PasswordHasherError.queueFull(let retryAfter) {
            #expect(retryAfter > .zero && retryAfter <= .seconds(60))
        }
        gate.open()
        try await blocker.value
        _ = try await waiting.value
    }

    @Test func refusesWorkOnceClosed() async throws {
        let hasher = try PasswordHasher(iterations: 1_000, threadCount: 1)
        hasher.close()
        await #expect(throws: PasswordHasherError.self) { try await hasher.hash("correct horse", priority: .register) }
    }

    @Test func rehashesOnlyWeakerHashes() throws {
        let hasher = try PasswordHasher(iterations: 2_000, threadCount: 1)
        defer { hasher.close() }
        #expect(hasher.needsRehash(PasswordHash(iterations: 1_999, salt: [1], hash: [])))
        #expect(!hasher.needsRehash(PasswordHash(iterations: 2_000, salt: [1], hash: [])))
        #expect(!hasher.needsRehash(PasswordHash(iterations: 5_000, salt: [1], hash: [])))
    }
}

extension HashingThreadPool {
    /// Submits `job`; whether it was queued.
    func submitted(
        priority: HashingPriority = .login,
        admission: Admission = .bounded,
        _ job: @escaping Job
    ) -> Bool {
        if case .queued = submit(job, priority: priority, admission: admission) { return true }
        return false
    }
}

/// Holds pool threads until opened (or 60 s pass, so a failed test never
/// leaves a thread blocked for good).
final class Gate: Sendable {
    private let semaphore = DispatchSemaphore(value: 0)
    private let isOpen = Atomic<Bool>(false)

    func wait() {
        guard !isOpen.load(ordering: .acquiring) else { return }
        _ = semaphore.wait(timeout: .now() + 60)
        semaphore.signal()  // wake the next waiter too
    }

    func open() {
        isOpen.store(true, ordering: .releasing)
        semaphore.signal()
    }
}

/// Counts jobs down to zero.
final class Countdown: Sendable {
    private let remaining: Atomic<Int>

    init(_ count: Int) {
        remaining = Atomic(count)
    }

    func tick() {
        remaining.subtract(1, ordering: .relaxed)
    }

    var isDone: Bool {
        remaining.load(ordering: .relaxed) <= 0
    }
}

/// Integers appended from any thread.
final class Recorder: Sendable {
    private let storage = Mutex<[Int]>([])

    var values: [Int] {
        storage.withLock { $0 }
    }

    func append(_ value: Int) {
        storage.withLock { $0.append(value) }
    }
}

/// The name of the calling thread (as `top -H` shows it).
func currentThreadName() -> String {
    #if os(Linux)
        let name = (try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)) ?? ""
        return name.trimmingCharacters(in: .newlines)
    #else
        var buffer = [CChar](repeating: 0, count: 64)
        pthread_getname_np(pthread_self(), &buffer, buffer.count)
        return String(cString: buffer)
    #endif
}
