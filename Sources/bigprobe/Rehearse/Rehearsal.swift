import BigRPC
import BigRPCNIO
import BigShopAuthAPI
import BigShopFlashSaleAPI
import Foundation

/// One rehearsal of a flash-sale drop, step by step (see ``RehearseCommand``).
struct Rehearsal: Sendable {
    /// The admin: signs customers up, confirms Pix, reads the server's counts.
    let admin: ShopCaller
    /// An anonymous caller on its own connection: lists campaigns and
    /// samples the units remaining.
    let watcher: ShopCaller
    /// One connection per customer.
    let customerTransports: [BigRPCClientTransport]
    let campaignID: String?
    let presses: Int
    let payShare: Double
    let maxWait: Duration

    /// The report, and what the HTML page draws.
    struct Outcome: Sendable {
        var report: RehearsalReport
        var latenciesMs: [Double]
        var timeline: [RemainingTimeline.Sample]
    }

    func run() async throws -> Outcome {
        let clock = ContinuousClock()
        let (campaign, drop, productName) = try await pickCampaign()
        let offsetMs = try await serverClockOffsetMs(campaign.id)
        note("rehearsing drop \(drop.index) of campaign \(campaign.id) (\(productName)) with \(customerTransports.count) customers")

        let runID = String(UInt64.random(in: 0...UInt64.max), radix: 36)
        let signUp = StepProgress("signing up customers ", total: customerTransports.count)
        let tokens = try await signUp.show {
            try await CustomerSignUp.run(count: customerTransports.count, runID: runID, admin: admin, progress: signUp)
        }
        let connecting = StepProgress("connecting customers ", total: tokens.count)
        let customers = try await connecting.show {
            await connect(zip(customerTransports, tokens).map { ShopCaller(transport: $0, token: $1) }, progress: connecting)
        }

        // The drop's opening on this machine's clock.
        let untilOpeningMs = drop.startsAtMs - offsetMs - Self.localMs()
        guard Double(untilOpeningMs) / 1000 <= maxWait.seconds else {
            throw ProbeError("drop \(drop.index) opens in \(untilOpeningMs / 1000) s, after --max-wait")
        }
        let opening = clock.now + .milliseconds(max(untilOpeningMs, 300))
        if untilOpeningMs > 0 { note("drop \(drop.index) opens in \(untilOpeningMs / 1000) s") }
        let timeline = RemainingTimeline()
        let sampler = Task {
            // From 2 s before the opening: the wait before it is a flat line.
            try? await clock.sleep(until: opening - .seconds(2))
            await timeline.record(from: watcher, campaignID: campaign.id, opening: opening)
        }

        try await clock.sleep(until: opening - .seconds(1))
        let before = try await consistentStats(campaign.id)
        let openAtRead = before.atMs >= drop.startsAtMs
        let unitsOnOffer = Int(before.remaining) + (openAtRead ? 0 : Int(campaign.unitsPerDrop))
        let dropLength = Duration.milliseconds(drop.endsAtMs - max(drop.startsAtMs, before.atMs))
        let outcomes = await PressRace.run(
            customers: customers, presses: presses, campaignID: campaign.id, opening: opening,
            giveUp: opening + min(dropLength, .seconds(30)))
        let pressSummary = PressSummary(outcomes)
        let afterPresses = try await consistentStats(campaign.id)

        let holds = outcomes.filter { $0.reservation != nil }.sorted { $0.customer < $1.customer }
            .map { (customer: customers[$0.customer], reservation: $0.reservation!) }
        let payCount = Int((Double(holds.count) * payShare).rounded())
        let paying = StepProgress("paying holds         ", total: payCount)
        let paid = try await paying.show { await HoldPayer.pay(Array(holds.prefix(payCount)), admin: admin, progress: paying) }
        let final = try await waitForExpiry(
            campaignID: campaign.id, dropIndex: drop.index, unpaid: holds.count - paid.approved,
            latestExpiryMs: holds.map(\.reservation.expiresAtMs).max(), offsetMs: offsetMs)
        sampler.cancel()
        await sampler.value

        let checks = RehearsalChecks(
            presses: pressSummary, unitsOnOffer: unitsOnOffer, perCustomerLimit: Int(campaign.perCustomerLimit),
            approvedPayments: paid.approved, before: UnitCounts(before), afterPresses: UnitCounts(afterPresses),
            final: UnitCounts(final), dropBefore: before.drops.first { $0.index == drop.index },
            dropAfterPresses: afterPresses.drops.first { $0.index == drop.index },
            dropFinal: final.drops.first { $0.index == drop.index }
        ).all
        let report = RehearsalReport(
            campaignId: campaign.id, productName: productName, dropIndex: Int(drop.index),
            customers: customerTransports.count, customersConnected: customers.count, pressesPerCustomer: presses,
            perCustomerLimit: Int(campaign.perCustomerLimit), unitsOnOffer: unitsOnOffer,
            answers: Dictionary(uniqueKeysWithValues: pressSummary.answers.map { ($0.key.description, $0.value) }),
            holdsGranted: pressSummary.holdsGranted, customersWithAHold: pressSummary.customersWithAHold,
            mostHoldsOfOneCustomer: pressSummary.mostHoldsOfOneCustomer, soldOutShare: pressSummary.soldOutShare,
            earlyRetries: pressSummary.earlyRetries, latencyMs: BenchReport.Latency(pressSummary.tally),
            paid: .init(card: paid.card, pix: paid.pix, failed: paid.failed), leftToExpire: holds.count - paid.approved,
            returnedAfterExpiry: Int(final.returned - before.returned),
            serverBefore: UnitCounts(before), serverAfterPresses: UnitCounts(afterPresses), serverFinal: UnitCounts(final),
            checks: checks, passed: checks.allSatisfy(\.passed))
        return Outcome(report: report, latenciesMs: pressSummary.latenciesMs, timeline: timeline.all)
    }

    /// The campaign asked for, or the first listed, with its next drop.
    private func pickCampaign() async throws -> (Bigshop_Flashsale_V1_Campaign, Bigshop_Flashsale_V1_Drop, String) {
        let listed = try await ShopCaller.patiently {
            try await watcher.flashSale.listCampaigns(.init(), metadata: watcher.metadata, options: ShopCaller.options)
        }
        let found = listed.campaigns.first { summary in campaignID.map { summary.campaign?.id == $0 } ?? true }
        guard let found, let campaign = found.campaign, let drop = found.nextDrop else {
            throw ProbeError(
                campaignID.map { "campaign \($0) is over or unknown" }
                    ?? "no campaign is current or upcoming: schedule one (FlashSaleService/ScheduleCampaign) or start the server with --seed-demo")
        }
        return (campaign, drop, found.productName)
    }

    /// How far the server's clock is ahead of this machine's, in milliseconds.
    private func serverClockOffsetMs(_ campaignID: String) async throws -> Int64 {
        let sent = Self.localMs()
        let stats = try await stats(campaignID)
        return stats.atMs - (sent + Self.localMs()) / 2
    }

    /// Opens each customer's connection with a WhoAmI, which also proves
    /// its session; returns the customers that answered.
    private func connect(_ customers: [ShopCaller], progress: StepProgress) async -> [ShopCaller] {
        let answered = await concurrentMap(customers.count, width: 64) { index in
            defer { progress.advance() }
            let customer = customers[index]
            return
                (try? await ShopCaller.patiently(attempts: 5) {
                    try await customer.auth.whoAmI(.init(), metadata: customer.metadata, options: ShopCaller.options)
                }) != nil
        }
        let failed = answered.filter { !$0 }.count
        if failed > 0 { note("\(failed) customers could not connect; they do not press") }
        return zip(customers, answered).filter { $0.1 }.map { $0.0 }
    }

    private func stats(_ campaignID: String) async throws -> Bigshop_Flashsale_V1_CampaignStats {
        try await ShopCaller.patiently {
            try await admin.flashSale.getCampaignStats(.init(campaignId: campaignID), metadata: admin.metadata, options: ShopCaller.options)
        }
    }

    /// The server's counts once they balance (a call in flight can leave a
    /// unit between the pool and its hold for a moment): up to 10 reads
    /// 200 ms apart, then the last one, balanced or not.
    private func consistentStats(_ campaignID: String) async throws -> Bigshop_Flashsale_V1_CampaignStats {
        var stats = try await stats(campaignID)
        for _ in 0..<10 where !UnitCounts(stats).balances {
            try await Task.sleep(for: .milliseconds(200))
            stats = try await self.stats(campaignID)
        }
        return stats
    }

    /// Waits until no hold of the drop is held any more (paid ones sold,
    /// unpaid ones expired), at most 30 s past the latest expiry, and
    /// returns the server's counts then.
    private func waitForExpiry(
        campaignID: String, dropIndex: Int32, unpaid: Int, latestExpiryMs: Int64?, offsetMs: Int64
    ) async throws -> Bigshop_Flashsale_V1_CampaignStats {
        guard let latestExpiryMs else { return try await consistentStats(campaignID) }
        let clock = ContinuousClock()
        let deadline = clock.now + .milliseconds(max(0, latestExpiryMs - offsetMs - Self.localMs())) + .seconds(30)
        if unpaid > 0 { note("waiting for \(unpaid) unpaid holds to expire (\(max(0, latestExpiryMs - offsetMs - Self.localMs()) / 1000) s)") }
        let progress = StepProgress("unpaid holds expired", total: unpaid)
        return try await progress.show {
            var counted = 0
            while true {
                let stats = try await consistentStats(campaignID)
                let drop = stats.drops.first { $0.index == dropIndex }
                let returned = Int(drop?.returned ?? 0)
                if returned > counted {
                    progress.advance(by: returned - counted)
                    counted = returned
                }
                if drop?.held == 0 || clock.now >= deadline { return stats }
                try await clock.sleep(for: .milliseconds(250))
            }
        }
    }

    /// This machine's clock, in Unix milliseconds.
    static func localMs() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1000).rounded())
    }

    private func note(_ text: String) {
        Terminal.writeError("bigprobe rehearse: \(text)\n")
    }
}
