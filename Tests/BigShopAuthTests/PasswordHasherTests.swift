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
        let stored = try await hasher.hash("\u{FB01}rst cafe\u{301}")
        #expect(try await hasher.verify("first café", against: stored))
        #expect(try await !hasher.verify("first cafe", against: stored))
        #expect(PasswordHasher.bytes(of: "\u{FB01}rst cafe\u{301}") == Array("first café".utf8))
    }

    @Test func runsAtMostThreadCountJobsAtOnce() async throws {
        let hasher = try PasswordHasher(iterations: 1_000, threadCount: 2)
        defer { hasher.close() }
        let gate = DispatchSemaphore(value: 0)
        let started = Recorder()

        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<2 {
                group.addTask {
                    try await hasher.run {
                        started.append(index)
                        _ = gate.wait(timeout: .now() + 30)
                    }
                }
            }
            #expect(await poll { started.values.count == 2 })
            for index in 2..<6 {
                group.addTask { try await hasher.run { started.append(index) } }
                #expect(await poll { hasher.pendingCount == index - 1 })
            }

            // Both hashing threads are blocked; Swift's task pool is not.
            let sum = await withTaskGroup(of: Int.self) { tasks in
                for value in 1...100 { tasks.addTask { value } }
                return await tasks.reduce(0, +)
            }
            #expect(sum == 5050)
            #expect(started.values.count == 2)

            gate.signal()
            gate.signal()
            try await group.waitForAll()
        }
        let order = started.values
        #expect(Set(order.prefix(2)) == [0, 1])
        #expect(order.sorted() == Array(0..<6))
    }

    @Test func servesQueuedJobsFirstInFirstOut() async throws {
        let hasher = try PasswordHasher(iterations: 1_000, threadCount: 1)
        defer { hasher.close() }
        let gate = DispatchSemaphore(value: 0)
        let order = Recorder()
        let blocker = Task { try await hasher.run { _ = gate.wait(timeout: .now() + 30) } }
        #expect(await poll { hasher.pendingCount == 0 })

        var jobs: [Task<Void, any Error>] = []
        for index in 0..<5 {
            jobs.append(Task { try await hasher.run { order.append(index) } })
            #expect(await poll { hasher.pendingCount == index + 1 })
        }
        gate.signal()
        try await blocker.value
        for job in jobs { try await job.value }
        #expect(order.values == [0, 1, 2, 3, 4])
    }

    @Test func aCancelledCallerLeavesAtOnceAndItsJobIsSkipped() async throws {
        let hasher = try PasswordHasher(iterations: 1_000, threadCount: 1)
        defer { hasher.close() }
        let gate = DispatchSemaphore(value: 0)
        let ran = Recorder()
        let blocker = Task { try await hasher.run { _ = gate.wait(timeout: .now() + 30) } }
        let queued = Task { try await hasher.run { ran.append(1) } }
        #expect(await poll { hasher.pendingCount == 1 })

        queued.cancel()
        await #expect(throws: CancellationError.self) { try await queued.value }
        #expect(hasher.pendingCount == 1)  // still queued: the thread is busy

        gate.signal()
        try await blocker.value
        #expect(await poll { hasher.pendingCount == 0 })
        _ = try await hasher.run {}  // everything before it is done
        #expect(ran.values.isEmpty)
    }

    @Test func refusesWorkOnceClosed() async throws {
        let hasher = try PasswordHasher(iterations: 1_000, threadCount: 1)
        hasher.close()
        await #expect(throws: PasswordHasherError.self) { try await hasher.hash("correct horse") }
    }

    @Test func rehashesOnlyWeakerHashes() throws {
        let hasher = try PasswordHasher(iterations: 2_000, threadCount: 1)
        defer { hasher.close() }
        #expect(hasher.needsRehash(PasswordHash(iterations: 1_999, salt: [1], hash: [])))
        #expect(!hasher.needsRehash(PasswordHash(iterations: 2_000, salt: [1], hash: [])))
        #expect(!hasher.needsRehash(PasswordHash(iterations: 5_000, salt: [1], hash: [])))
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

/// Polls `condition` until it holds or 10 s pass; returns whether it held.
func poll(_ condition: () -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + .seconds(10)
    while ContinuousClock.now < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(2))
    }
    return condition()
}
