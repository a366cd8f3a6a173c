import BigRPC
import BigRPCNIO
import BigShopAuthAPI
import BigShopFlashSaleAPI
import BigShopServiceKit
import BigShopStore
import Foundation
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The flash sale's owner failover (docs/FLASHSALE.md, "One owner, and a standby that
/// takes over") on two `bigshop serve --services flashsale` processes on one PostgreSQL
/// database, however they run: on loopback (``FlashSaleOwnerFailoverTests``) or on hosts of
/// the cluster (``ClusterPostgresTests``). The owner is SIGKILLed 200 ms into a drop, three
/// drops in a row, and started again as the standby; then the owner is paused with SIGSTOP
/// until the standby has taken over, and resumed. Never a 101st unit, never a unit twice,
/// every OK has its hold, and the resumed owner writes nothing with its stale epoch.
struct FlashSaleOwnerFailover: Sendable {
    static let unitsPerDrop: Int32 = 100

    /// The two flash-sale processes.
    let replicas: [any RestartableServer]
    /// Each one's internal address, as the lease records it (`host:port`).
    let addresses: [String]
    /// A new transport straight to replica `index`'s internal port, with the
    /// identity of a gateway (one that may forward a principal).
    let internalTransport: @Sendable (Int) throws -> BigRPCClientTransport
    /// The admin's flash sale, through a gateway: schedules the campaigns.
    let admin: Bigshop_Flashsale_V1_FlashSaleService.Client
    /// The customers' ways in, through the gateways; each customer uses one.
    let clients: [RPCClient]
    /// The `flashsale` schema.
    let database: Database
    /// Starts every line printed.
    let label: String
    /// How long a customer waits for the answer to one press of Reserve before pressing again.
    var callTimeout: Duration = .seconds(5)

    /// The three drops with a killed owner, then the one with a paused owner, each raced
    /// by every customer of `tokens` for `product`; each killed drop's takeover time
    /// (``RaceOutcome/firstAnswerAfter(_:)`` the kill).
    func run(product: String, tokens: [String], check: CountedChecks) async throws -> [Duration] {
        var takeovers: [Duration] = []
        for round in 0..<3 {
            let campaign = try await schedule(product)
            let owner = try await ownerIndex()
            let opened = ContinuousClock.now
            let racing = Task { await race(campaign: campaign, tokens: tokens) }
            try await Task.sleep(for: .milliseconds(200))
            let killedAt = ContinuousClock.now
            await replicas[owner].kill9()
            let outcome = await racing.value
            guard let takeover = outcome.firstAnswerAfter(killedAt) else {
                throw CrashTestError("drop \(round): no answer after the owner was killed")
            }
            takeovers.append(takeover)
            print(
                "\(label)flash-sale owner killed in drop \(round): takeover in \(takeover) (granted \(outcome.granted.count), "
                    + "\(outcome.answers.count) of \(tokens.count) answered in \(ContinuousClock.now - opened); retried: \(outcome.retriedSummary))")
            try await checkInvariants(campaign: campaign, granted: outcome.granted, check: check)
            try await replicas[owner].start()
        }
        try await pausedOwner(product: product, tokens: tokens, check: check)
        return takeovers
    }

    /// An owner paused past its lease: the standby takes over; resumed, the old owner
    /// commits nothing with its stale epoch.
    func pausedOwner(product: String, tokens: [String], check: CountedChecks) async throws {
        let campaign = try await schedule(product)
        let paused = try await ownerIndex()
        let pausedEpoch = try await epoch()
        guard let pid = replicas[paused].processIdentifier else { throw CrashTestError("the owner has no process") }
        check(kill(pid, SIGSTOP) == 0, "SIGSTOP to the owner (\(pid)) failed")
        let outcome = await race(campaign: campaign, tokens: tokens)
        let epochAfter = try await epoch()
        check(epochAfter > pausedEpoch, "the epoch is still \(epochAfter) with the owner paused")
        let resumedAtMs = Int64(Date().timeIntervalSince1970 * 1000)
        check(kill(pid, SIGCONT) == 0, "SIGCONT to the owner (\(pid)) failed")
        print(
            "\(label)flash-sale owner paused past its lease: epoch \(pausedEpoch) -> \(epochAfter) (granted \(outcome.granted.count), "
                + "\(outcome.answers.count) of \(tokens.count) answered; retried: \(outcome.retriedSummary))")
        // Straight at the resumed owner's internal port, before it notices it lost the
        // lease: it may claim from its old ring, but cannot record a hold.
        let transport = try internalTransport(paused)
        let stale = Bigshop_Flashsale_V1_FlashSaleService.Client(wrapping: RPCClient(transport: transport))
        for index in 0..<20 {
            let principal = ForwardedPrincipal.encode(Principal(userID: "late\(index)", role: .customer, email: "late\(index)@owner.test"))
            _ = try? await stale.reserve(
                .init(campaignId: campaign), metadata: [ForwardedPrincipal.metadataKey: principal], options: CallOptions(timeout: .seconds(10)))
        }
        await transport.close()
        try await Task.sleep(for: .seconds(2))
        let staleWrites = try await database.read { connection in
            try connection.queryOne(
                "SELECT count(*) FROM holds WHERE epoch = ? AND created_at_ms >= ?", .integer(pausedEpoch), .integer(resumedAtMs))!.int(0)
        }
        check(staleWrites == 0, "\(staleWrites) holds written with the stale epoch \(pausedEpoch) after the resume")
        try await checkInvariants(campaign: campaign, granted: outcome.granted, check: check)
    }

    /// A campaign of one drop of ``unitsPerDrop``, open now; its id.
    func schedule(_ product: String) async throws -> String {
        try await admin.scheduleCampaign(.init(productId: product, drops: 1, unitsPerDrop: Self.unitsPerDrop, holdMs: 600_000)).id
    }

    /// Exactly one drop's units in live holds, none twice, no customer twice, and every
    /// reservation a customer was told about among them.
    func checkInvariants(campaign: String, granted: [String], check: CountedChecks) async throws {
        let (live, units, customers, ids) = try await database.read { connection in
            let row = try connection.queryOne(
                """
                SELECT count(*), count(DISTINCT unit), count(DISTINCT user_id) FROM holds
                WHERE campaign_id = ? AND state IN ('held', 'sold')
                """, .text(campaign))!
            let ids = try connection.query("SELECT id FROM holds WHERE campaign_id = ?", .text(campaign)).map { try $0.string(0) }
            return (try row.int(0), try row.int(1), try row.int(2), Set(ids))
        }
        check(live == Int(Self.unitsPerDrop), "\(live) live holds")
        check(units == live && customers == live, "\(live) live holds of \(units) units and \(customers) customers")
        check(Set(granted).isSubset(of: ids), "a customer was told of a hold that is not stored")
    }

    final class OutcomeBox: Sendable {
        let value = Mutex(RaceOutcome())
    }

    struct RaceOutcome: Sendable {
        var granted: [String] = []
        /// Each answer other than UNAVAILABLE: when its call was made, and when it came.
        var answers: [(called: ContinuousClock.Instant, answered: ContinuousClock.Instant)] = []
        /// The calls tried again, by status code and the start of the message.
        var retried: [String: Int] = [:]

        /// Counts a failed call that is tried again.
        mutating func retrying(after error: any Error) {
            let failure = (error as? RPCError).map { "\($0.code) \($0.message.components(separatedBy: ": ")[0].prefix(70))" } ?? "\(type(of: error))"
            retried[failure, default: 0] += 1
        }

        /// The retried calls, the most frequent failure first.
        var retriedSummary: String {
            retried.isEmpty ? "none" : retried.sorted { $0.value > $1.value }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        }

        /// How long after `instant` the first call made after it was answered. Calls made
        /// before it are left out: their answers may still be on their way from an owner
        /// killed at `instant`.
        func firstAnswerAfter(_ instant: ContinuousClock.Instant) -> Duration? {
            answers.filter { $0.called > instant }.map(\.answered).min().map { $0 - instant }
        }
    }

    /// Every customer presses Reserve until told OK, SOLD_OUT or LIMIT_REACHED (retrying
    /// UNAVAILABLE after its `retry-after-ms`, any other failure after 100 to 200 ms), each
    /// press waiting up to ``callTimeout``, for at most 30 s.
    func race(campaign: String, tokens: [String]) async -> RaceOutcome {
        let outcome = OutcomeBox()
        let deadline = ContinuousClock.now + .seconds(30)
        await withTaskGroup(of: Void.self) { group in
            for (index, token) in tokens.enumerated() {
                let flashSale = Bigshop_Flashsale_V1_FlashSaleService.Client(wrapping: clients[index % clients.count])
                group.addTask {
                    while ContinuousClock.now < deadline {
                        let called = ContinuousClock.now
                        do {
                            let reservation = try await flashSale.reserve(
                                .init(campaignId: campaign), metadata: [Metadata.authorizationKey: "Bearer \(token)"],
                                options: CallOptions(timeout: callTimeout))
                            outcome.value.withLock {
                                $0.granted.append(reservation.id)
                                $0.answers.append((called, .now))
                            }
                            return
                        } catch let error as RPCError where error.metadata[Metadata.reasonKey] != nil {
                            outcome.value.withLock { $0.answers.append((called, .now)) }
                            return
                        } catch let error as RPCError {
                            outcome.value.withLock { $0.retrying(after: error) }
                            let wait = error.metadata[Metadata.retryAfterKey].flatMap { Int($0) } ?? 100
                            try? await Task.sleep(for: .milliseconds(Int.random(in: wait...(wait * 2))))
                        } catch {
                            outcome.value.withLock { $0.retrying(after: error) }
                            try? await Task.sleep(for: .milliseconds(100))
                        }
                    }
                }
            }
        }
        return outcome.value.withLock { $0 }
    }

    /// Which replica holds the lease, by its address (waits up to 10 s for one to).
    func ownerIndex() async throws -> Int {
        for _ in 0..<100 {
            let address = try await database.read {
                try $0.queryOne("SELECT address FROM leases WHERE name = 'flashsale-owner' AND expires_at_ms > 0")?.string(0)
            }
            if let address, let index = addresses.firstIndex(of: address) { return index }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw CrashTestError("neither flash-sale replica (\(addresses)) holds the owner's lease")
    }

    func epoch() async throws -> Int64 {
        try await database.read { try $0.queryOne("SELECT epoch FROM leases WHERE name = 'flashsale-owner'")?.int64(0) ?? 0 }
    }

    /// `count` password-less customers, by the admin's CreateCustomers; their tokens.
    static func customers(_ count: Int, admin: Bigshop_Auth_V1_AuthService.Client) async throws -> [String] {
        var tokens: [String] = []
        let run = UUID().uuidString.prefix(8).lowercased()
        for start in stride(from: 0, to: count, by: 200) {
            let batch = (start..<min(count, start + 200)).map {
                Bigshop_Auth_V1_NewCustomer(email: "c\($0)-\(run)@owner.test", name: "Cliente")
            }
            tokens += try await admin.createCustomers(.init(customers: batch)).customers.map(\.token)
        }
        return tokens
    }
}
