import BigRPC
import BigShopAuthAPI
import BigShopCatalogAPI
import BigShopGateway
import BigShopServer
import BigShopServiceKit
import Foundation
import Synchronization
import Testing

/// The gateway's limits in the order it applies them, on the interceptor
/// itself with a manual clock: what is refused, with which reason, and
/// whether the token check (a SHA-256 and a database read in the real
/// server) ran at all.
@Suite struct GatewayLimitsTests {
    static let validToken = String(repeating: "v", count: 43)
    static let listProducts = Bigshop_Catalog_V1_CatalogService.Method.listProducts
    static let whoAmI = Bigshop_Auth_V1_AuthService.Method.whoAmI
    static let register = Bigshop_Auth_V1_AuthService.Method.register

    /// An interceptor whose token check accepts only ``validToken`` and counts
    /// how often it ran.
    final class Counter: Sendable {
        let value = Atomic<Int>(0)
    }

    struct Subject {
        let time = ManualInstant()
        let checks = Counter()
        let limiters: GatewayLimiters
        let gateway: GatewayInterceptor

        init(_ configure: (inout RateLimits) -> Void = { _ in }) {
            var limits = RateLimits()
            configure(&limits)
            let time = self.time
            let checks = self.checks
            let limiters = GatewayLimiters(limits, now: { time.now })
            self.limiters = limiters
            gateway = GatewayInterceptor(policy: .shop, limiters: limiters) { token in
                checks.value.add(1, ordering: .relaxed)
                return token == GatewayLimitsTests.validToken ? Principal(userID: "usr_1", role: .customer, email: "") : nil
            }
        }

        var tokenChecks: Int { checks.value.load(ordering: .relaxed) }

        /// The error the gateway answers, or nil when the call reaches the service.
        func call(_ method: MethodDescriptor, from peer: String, token: String? = nil) async -> RPCError? {
            var metadata = Metadata()
            if let token { metadata[Metadata.authorizationKey] = "Bearer \(token)" }
            let context = ServerContext(method: method, metadata: metadata, deadline: nil, peer: peer, requestID: "t")
            do {
                try await gateway.intercept(context: context) { _ in }
                return nil
            } catch let error as RPCError {
                return error
            } catch {
                Issue.record("unexpected \(error)")
                return nil
            }
        }
    }

    @Test func failedAuthenticationsAreChargedToTheAddressThenRefusedUnchecked() async {
        let subject = Subject { $0.failedAuthPerAddress = .init(perSecond: 0.1, burst: 3) }
        for _ in 0..<3 {
            #expect(await subject.call(Self.whoAmI, from: "198.51.100.7:4000", token: "bad")?.code == .unauthenticated)
        }
        #expect(subject.tokenChecks == 3)

        // The failure budget is spent: refused before the token is looked at,
        // whatever the token, even a valid one and even on a public method.
        for token in ["bad", Self.validToken] {
            for method in [Self.whoAmI, Self.listProducts] {
                let refused = await subject.call(method, from: "198.51.100.7:4001", token: token)
                #expect(refused?.code == .resourceExhausted)
                #expect(refused?.metadata[Metadata.reasonKey] == "TOO_MANY_FAILED_AUTHENTICATIONS")
                #expect(refused?.metadata[Metadata.retryAfterKey] == "10000")
            }
        }
        #expect(subject.tokenChecks == 3)

        // Calls without a token, and other addresses, are unaffected.
        #expect(await subject.call(Self.listProducts, from: "198.51.100.7:4002") == nil)
        #expect(await subject.call(Self.whoAmI, from: "198.51.100.8:4000", token: Self.validToken) == nil)

        // The budget refills at its rate.
        subject.time.advance(by: .seconds(10))
        #expect(await subject.call(Self.whoAmI, from: "198.51.100.7:4003", token: Self.validToken) == nil)
    }

    @Test func aBadTokenOnAPublicMethodRunsAnonymousButIsCharged() async {
        let subject = Subject { $0.failedAuthPerAddress = .init(perSecond: 0.1, burst: 2) }
        #expect(await subject.call(Self.listProducts, from: "198.51.100.7:1", token: "bad") == nil)
        #expect(await subject.call(Self.listProducts, from: "198.51.100.7:1", token: "bad") == nil)
        #expect(await subject.call(Self.listProducts, from: "198.51.100.7:1", token: "bad")?.code == .resourceExhausted)
    }

    @Test func everyCallIsCountedPerAddressBeforeAuthentication() async {
        let subject = Subject {
            $0.allCallsPerAddress = .init(perSecond: 1, burst: 5)
            $0.perUser = .init(perSecond: 1000, burst: 1000)
        }
        for _ in 0..<5 {
            #expect(await subject.call(Self.whoAmI, from: "203.0.113.9:1", token: Self.validToken) == nil)
        }
        let refused = await subject.call(Self.whoAmI, from: "203.0.113.9:2", token: Self.validToken)
        #expect(refused?.code == .resourceExhausted)
        #expect(refused?.metadata[Metadata.reasonKey] == "RATE_LIMITED")
        #expect(refused?.metadata[Metadata.retryAfterKey] == "1000")
        #expect(subject.tokenChecks == 5)
        // Anonymous calls from that address share the budget; others do not.
        #expect(await subject.call(Self.listProducts, from: "203.0.113.9:3")?.code == .resourceExhausted)
        #expect(await subject.call(Self.listProducts, from: "203.0.113.10:1") == nil)
    }

    @Test func anIPv6SubscriberIsOneAddressWhateverItsInterfaceID() async {
        let subject = Subject { $0.failedAuthPerAddress = .init(perSecond: 0.1, burst: 2) }
        _ = await subject.call(Self.whoAmI, from: "[2001:db8:5:6::1]:1", token: "bad")
        _ = await subject.call(Self.whoAmI, from: "[2001:db8:5:6::2]:1", token: "bad")
        let refused = await subject.call(Self.whoAmI, from: "[2001:db8:5:6:ffff::3]:1", token: "bad")
        #expect(refused?.metadata[Metadata.reasonKey] == "TOO_MANY_FAILED_AUTHENTICATIONS")
        #expect(await subject.call(Self.whoAmI, from: "[2001:db8:5:7::1]:1", token: "bad")?.code == .unauthenticated)
    }

    @Test func registerIsLimitedPerAddress() async {
        let subject = Subject { $0.registerPerAddress = .init(perSecond: 0.1, burst: 2) }
        #expect(await subject.call(Self.register, from: "192.0.2.1:1") == nil)
        #expect(await subject.call(Self.register, from: "192.0.2.1:2") == nil)
        let refused = await subject.call(Self.register, from: "192.0.2.1:3")
        #expect(refused?.code == .resourceExhausted)
        #expect(refused?.metadata[Metadata.reasonKey] == "TOO_MANY_REGISTRATIONS")
        #expect(refused?.metadata[Metadata.retryAfterKey] == "10000")
        #expect(await subject.call(Self.register, from: "192.0.2.2:1") == nil)
        // Only Register: other anonymous calls from that address go on.
        #expect(await subject.call(Self.listProducts, from: "192.0.2.1:4") == nil)
    }

    /// A flood of random addresses and tokens leaves bounded limiter memory.
    @Test func randomAddressesKeepLimiterMemoryBounded() async {
        let subject = Subject()
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<100_000 {
            let host = UInt32.random(in: 0...0xFF_FFFF, using: &generator)
            let peer = "10.\(host >> 16).\((host >> 8) & 0xFF).\(host & 0xFF):1"
            _ = await subject.call(Self.whoAmI, from: peer, token: "bad")
        }
        // Four limiters saw those addresses (all calls, failed
        // authentications, anonymous calls, nothing else); each holds at most
        // its maxKeys, 65,536.
        #expect(subject.tokenChecks == 100_000)
        #expect(subject.limiters.trackedKeys <= 3 * 65_536)
    }

    @Test func limitsOutOfRangeAreRefusedAtStart() {
        var limits = RateLimits()
        limits.registerPerAddress.perSecond = 0
        #expect(throws: RateLimitsError.self) { try limits.validate() }
        limits = RateLimits()
        limits.failedAuthPerAddress.burst = 0.5
        #expect(throws: RateLimitsError.self) { try limits.validate() }
        #expect(throws: Never.self) { try RateLimits().validate() }
    }

    /// A config file may give any subset of the limits, even half a bucket.
    @Test func aConfigFileOverridesOnlyWhatItNames() throws {
        let json = """
            {"rateLimits": {"failedAuthPerAddress": {"perSecond": 2}, "registerPerAddress": {"perSecond": 0.5, "burst": 3}},
             "passwordQueueLimit": 10, "passwordRegisterQueueLimit": 4}
            """
        let configuration = try JSONDecoder().decode(BigShopConfiguration.self, from: Data(json.utf8))
        let defaults = RateLimits()
        #expect(configuration.rateLimits.failedAuthPerAddress == .init(perSecond: 2, burst: defaults.failedAuthPerAddress.burst))
        #expect(configuration.rateLimits.registerPerAddress == .init(perSecond: 0.5, burst: 3))
        #expect(configuration.rateLimits.allCallsPerAddress == defaults.allCallsPerAddress)
        #expect(configuration.rateLimits.perUser == defaults.perUser)
        #expect(configuration.passwordQueueLimit == 10)
        #expect(configuration.passwordRegisterQueueLimit == 4)
        #expect(try JSONDecoder().decode(BigShopConfiguration.self, from: Data("{}".utf8)) == BigShopConfiguration())
    }
}
