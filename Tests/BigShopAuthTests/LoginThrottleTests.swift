import BigRPC
import BigShopAuthAPI
import BigShopServiceKit
import Synchronization
import Testing

@testable import BigShopAuth

@Suite("Login throttle")
struct LoginThrottleTests {
    @Test func refusesPastTheBurstWithRetryAfterAndBeforeAnyHashing() async throws {
        let time = ManualInstant()
        let throttle = TokenBucketLoginThrottle(now: { time.now })
        try await withAuth(settings: .testing(throttle: throttle)) { harness in
            _ = try await harness.customerSession()
            let wrong = Bigshop_Auth_V1_LoginRequest(email: "ana@example.com", password: "wrong horse")
            for _ in 0..<Int(TokenBucketLoginThrottle.defaultBurst) - 1 {
                let error = await #expect(throws: RPCError.self) { try await harness.auth.login(wrong) }
                #expect(error?.code == .unauthenticated)
            }

            let derivations = harness.module.hasher.derivationCount
            let refused = await #expect(throws: RPCError.self) {
                try await harness.login("Ana@Example.com", "correct horse")
            }
            #expect(refused?.code == .resourceExhausted)
            #expect(refused?.metadata[Metadata.retryAfterKey] == "12000")
            #expect(harness.module.hasher.derivationCount == derivations)

            // Another email from the same address has its own bucket.
            let other = await #expect(throws: RPCError.self) {
                try await harness.login("bia@example.com", "whatever1")
            }
            #expect(other?.code == .unauthenticated)

            time.advance(by: .seconds(3))
            let later = await #expect(throws: RPCError.self) {
                try await harness.login("ana@example.com", "correct horse")
            }
            #expect(later?.metadata[Metadata.retryAfterKey] == "9000")

            time.advance(by: .seconds(9))
            _ = try await harness.login("ana@example.com", "correct horse")
        }
    }

    @Test(arguments: [
        ("203.0.113.7:51234", "203.0.113.7"),
        // An IPv6 subscriber holds a whole /64: the throttle keys on it.
        ("[2001:db8::1]:443", "2001:db8::/64"),
        ("2001:db8:0:0:ffff::1", "2001:db8::/64"),
        ("[::ffff:203.0.113.7]:443", "203.0.113.7"),
        ("in-process", "in-process"),
    ])
    func keysOnTheAddressWithoutPortAndTheNormalizedEmail(peer: String, address: String) async throws {
        let throttle = RecordingThrottle()
        try await withAuth(settings: .testing(throttle: throttle)) { harness in
            let context = directContext(peer: peer, method: Bigshop_Auth_V1_AuthService.Method.login)
            _ = try? await harness.module.authService.login(
                request: Bigshop_Auth_V1_LoginRequest(email: " Ａna@Example.COM", password: "whatever1"), context: context
            )
            #expect(throttle.attempts == [RecordingThrottle.Attempt(address: address, email: "ana@example.com")])
        }
    }

    @Test func theDisabledThrottleAdmitsEverything() {
        let throttle: any LoginThrottle = .disabled
        for _ in 0..<1_000 {
            #expect(throttle.admit(address: "198.51.100.1", email: "ana@example.com") == nil)
        }
    }
}

/// Admits everything and remembers what it was asked.
final class RecordingThrottle: LoginThrottle {
    struct Attempt: Hashable {
        var address: String
        var email: String
    }

    private let recorded = Mutex<[Attempt]>([])

    var attempts: [Attempt] {
        recorded.withLock { $0 }
    }

    func admit(address: String, email: String) -> Duration? {
        recorded.withLock { $0.append(Attempt(address: address, email: email)) }
        return nil
    }
}
