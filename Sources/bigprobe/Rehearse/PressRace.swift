import BigRPC
import BigShopFlashSaleAPI

/// Every customer presses Reserve `presses` times at the same instant, each
/// over its own connection: what the shop sees when a drop opens.
enum PressRace {
    /// Presses for `campaignID` at `opening`. A press answered NO_ACTIVE_DROP
    /// (the client's clock ahead of the server's) is sent again every 20 ms
    /// until `giveUp`.
    static func run(
        customers: [ShopCaller],
        presses: Int,
        campaignID: String,
        opening: ContinuousClock.Instant,
        giveUp: ContinuousClock.Instant
    ) async -> [PressOutcome] {
        let clock = ContinuousClock()
        return await withTaskGroup(of: PressOutcome.self) { group in
            for (index, customer) in customers.enumerated() {
                for _ in 0..<presses {
                    group.addTask {
                        try? await clock.sleep(until: opening)
                        return await press(customer, index: index, campaignID: campaignID, opening: opening, giveUp: giveUp, clock: clock)
                    }
                }
            }
            var outcomes: [PressOutcome] = []
            outcomes.reserveCapacity(customers.count * presses)
            for await outcome in group { outcomes.append(outcome) }
            return outcomes
        }
    }

    private static func press(
        _ customer: ShopCaller,
        index: Int,
        campaignID: String,
        opening: ContinuousClock.Instant,
        giveUp: ContinuousClock.Instant,
        clock: ContinuousClock
    ) async -> PressOutcome {
        var retries = 0
        while true {
            let began = clock.now
            let answer: PressOutcome.Answer
            var reservation: Bigshop_Flashsale_V1_Reservation?
            do {
                reservation = try await customer.flashSale.reserve(
                    .init(campaignId: campaignID), metadata: customer.metadata, options: ShopCaller.options)
                answer = .granted
            } catch let error as RPCError {
                answer = PressOutcome.Answer(error)
            } catch {
                answer = .failed(StatusCode.unknown.name)
            }
            let now = clock.now
            if answer == .noActiveDrop, now < giveUp, (try? await clock.sleep(for: .milliseconds(20))) != nil {
                retries += 1
                continue
            }
            return PressOutcome(
                customer: index, answer: answer, latency: now - began, answeredAfterOpen: now - opening,
                reservation: reservation, earlyRetries: retries)
        }
    }
}
