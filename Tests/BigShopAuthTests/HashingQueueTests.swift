import BigRPC
import BigShopAuthAPI
import BigShopServiceKit
import BigShopTestSupport
import Testing

@testable import BigShopAuth

/// The bounded hashing queue as the Auth service answers it (issue 11,
/// finding 3). The hashing threads are held by gated jobs, so what is queued
/// and what is refused does not depend on timing.
@Suite("Hashing queue")
struct HashingQueueTests {
    @Test func aFullRegisterShareIsResourceExhaustedWithAReasonAndRetryAfter() async throws {
        try await withAuth(settings: .testing(queueLimit: 4, registerQueueLimit: 2)) { harness in
            _ = try await harness.register("ana@example.com", "correct horse")
            let gate = Gate()
            let holders = holdHashingThreads(harness.module.hasher, until: gate)
            #expect(await eventually { harness.module.hashingQueueDepth.running == 2 })

            let waiting = (0..<2).map { index in
                Task { try await harness.register("waiting\(index)@example.com", "correct horse") }
            }
            #expect(await eventually { harness.module.hashingQueueDepth.register == 2 })
            let refused = await #expect(throws: RPCError.self) {
                try await harness.register("refused@example.com", "correct horse")
            }
            #expect(refused?.code == .resourceExhausted)
            #expect(refused?.metadata[Metadata.reasonKey] == "HASHING_QUEUE_FULL")
            let retryAfter = refused?.metadata[Metadata.retryAfterKey].flatMap(Int.init) ?? 0
            #expect(retryAfter > 0 && retryAfter <= 60_000)

            // Logins still get in, and the startup admin is never refused.
            let login = Task { try await harness.login("ana@example.com", "correct horse") }
            #expect(await eventually { harness.module.hashingQueueDepth.login == 1 })
            let admin = Task { try await harness.module.ensureAdmin(email: "root@example.com", password: "admin password") }
            #expect(await eventually { harness.module.hashingQueueDepth.register == 3 })

            gate.open()
            for holder in holders { try await holder.value }
            #expect(try await login.value.user?.email == "ana@example.com")
            for task in waiting { _ = try await task.value }
            if case .created = try await admin.value {} else { Issue.record("the startup admin was not created") }
            // The refused Register made no account: it can be retried.
            _ = try await harness.register("refused@example.com", "correct horse")
        }
    }

    @Test func aFullQueueRefusesLoginsWithTheSameReason() async throws {
        try await withAuth(settings: .testing(queueLimit: 1, registerQueueLimit: 1)) { harness in
            _ = try await harness.register("ana@example.com", "correct horse")
            let gate = Gate()
            let holders = holdHashingThreads(harness.module.hasher, until: gate)
            #expect(await eventually { harness.module.hashingQueueDepth.running == 2 })
            let queued = Task { try await harness.login("ana@example.com", "correct horse") }
            #expect(await eventually { harness.module.hashingQueueDepth.login == 1 })

            let refused = await #expect(throws: RPCError.self) {
                try await harness.login("ana@example.com", "correct horse")
            }
            #expect(refused?.code == .resourceExhausted)
            #expect(refused?.metadata[Metadata.reasonKey] == "HASHING_QUEUE_FULL")
            #expect(refused?.metadata[Metadata.retryAfterKey] != nil)

            gate.open()
            for holder in holders { try await holder.value }
            _ = try await queued.value
        }
    }

    @Test func settingsOutOfRangeAreRefused() async throws {
        await #expect(throws: AuthSetupError.self) {
            try await withAuth(settings: .testing(queueLimit: 0)) { _ in }
        }
        await #expect(throws: AuthSetupError.self) {
            try await withAuth(settings: .testing(queueLimit: 4, registerQueueLimit: 5)) { _ in }
        }
    }
}

/// Occupies every hashing thread with a job that waits for `gate`.
func holdHashingThreads(_ hasher: PasswordHasher, until gate: Gate) -> [Task<Void, any Error>] {
    (0..<2).map { _ in Task { try await hasher.run(priority: .login, admission: .unbounded) { gate.wait() } } }
}
