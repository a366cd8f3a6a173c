import BigShopFlashSale
import BigShopFlashSaleAPI
import BigShopServer
import BigShopServerTestSupport
import Foundation
import Testing

/// `bigprobe rehearse` against a real server: a drop opening in seconds, a
/// few hundred customers, short holds.
@Suite(.serialized, .timeLimit(.minutes(4)))
struct RehearseTests {
    let probe = Probe()

    /// Signs the probe in as the shop's admin, and schedules a campaign of
    /// two drops of `units` whose first drop opens in `opensInMs`, with
    /// 10 s holds.
    func prepare(_ shop: TestShop, units: Int32, opensInMs: Int64 = 6_000) async throws -> Bigshop_Flashsale_V1_Campaign {
        let login = try await probe.run(["login", shop.endpoint, "--email", TestShop.adminEmail], input: TestShop.adminPassword + "\n")
        #expect(login.exitCode == 0, "\(login.stderr)")
        let admin = try await shop.admin()
        let product = try await admin.catalog.createProduct(
            .init(sku: "IPHONE-REHEARSAL-\(UUID().uuidString.prefix(6))", name: "iPhone 15 128 GB", priceCents: 599_900, stock: 1))
        let nowMs = Int64(Date().timeIntervalSince1970 * 1000)
        return try await admin.flashSale.scheduleCampaign(
            .init(
                productId: product.id, startsAtMs: nowMs + opensInMs, drops: 2, unitsPerDrop: units, priceCents: 100,
                dropIntervalMs: 600_000, holdMs: 10_000
            ))
    }

    @Test func aRehearsalOfThreeHundredCustomersPassesAndReportsTheDrop() async throws {
        try await withShop { shop in
            let campaign = try await prepare(shop, units: 100)
            let html = FileManager.default.temporaryDirectory.appendingPathComponent("rehearsal-\(UUID().uuidString).html").path
            defer { try? FileManager.default.removeItem(atPath: html) }
            let result = try await probe.run(
                [
                    "rehearse", shop.endpoint, "--customers", "300", "--presses", "2", "--campaign", campaign.id,
                    "--format", "json", "--html", html,
                ], killingAfter: .seconds(180))
            #expect(result.exitCode == 0, "\(result.stdout)\n\(result.stderr)")
            let report = try result.json()
            #expect(report["passed"] as? Bool == true)
            #expect(report["customersConnected"] as? Int == 300)
            #expect(report["unitsOnOffer"] as? Int == 100)
            #expect(report["holdsGranted"] as? Int == 100)
            #expect(report["customersWithAHold"] as? Int == 100)
            #expect(report["mostHoldsOfOneCustomer"] as? Int == 1)
            let answers = try #require(report["answers"] as? [String: Int])
            #expect(answers["GRANTED"] == 100)
            #expect((answers["SOLD_OUT"] ?? 0) + (answers["LIMIT_REACHED"] ?? 0) == 500, "\(answers)")
            #expect((answers["SOLD_OUT"] ?? 0) > 0)
            let paid = try #require(report["paid"] as? [String: Any])
            #expect(paid["card"] as? Int == 25)
            #expect(paid["pix"] as? Int == 25)
            #expect(report["leftToExpire"] as? Int == 50)
            #expect(report["returnedAfterExpiry"] as? Int == 50)
            let final = try #require(report["serverFinal"] as? [String: Int])
            #expect(final == ["unitsReleased": 100, "sold": 50, "held": 0, "remaining": 50, "returned": 50])
            let checks = try #require(report["checks"] as? [[String: Any]])
            #expect(checks.count == 9)
            #expect(checks.allSatisfy { $0["passed"] as? Bool == true }, "\(checks)")
            let latency = try #require(report["latencyMs"] as? [String: Double])
            #expect((latency["p50"] ?? 0) > 0 && (latency["p50"] ?? 0) <= (latency["max"] ?? 0))

            // The server agrees.
            let counts = try await shop.shop.flashSale!.holdCounts(campaignID: campaign.id)
            #expect(counts.held == 0 && counts.sold == 50 && counts.released == 50)

            let page = try String(contentsOfFile: html, encoding: .utf8)
            #expect(page.contains("<svg"))
            #expect(page.contains("Rehearsal of drop 0: PASS"))
            #expect(!page.contains("http://") || page.contains("xmlns=\"http://www.w3.org/2000/svg\""))
        }
    }

    @Test func anOversellingServerFailsTheRehearsal() async throws {
        try await withShop(assemble: { $0.flashSaleFaults = .init(oversellOneUnitPerDrop: true) }) { shop in
            let campaign = try await prepare(shop, units: 20, opensInMs: 3_000)
            let result = try await probe.run(
                ["rehearse", shop.endpoint, "--customers", "60", "--campaign", campaign.id, "--pay-share", "0", "--format", "json"],
                killingAfter: .seconds(180))
            #expect(result.exitCode == 2, "\(result.stdout)\n\(result.stderr)")
            let report = try result.json()
            #expect(report["passed"] as? Bool == false)
            #expect(report["holdsGranted"] as? Int == 21)
            let failed = Set(
                try #require(report["checks"] as? [[String: Any]]).filter { $0["passed"] as? Bool == false }.compactMap { $0["name"] as? String })
            #expect(failed.contains("holds granted = units on offer"), "\(failed)")
            #expect(failed.contains("sold + held + remaining = released, after the presses"), "\(failed)")
        }
    }

    @Test func theTextReportEndsWithTheVerdict() async throws {
        try await withShop { shop in
            let campaign = try await prepare(shop, units: 5, opensInMs: 1_000)
            let result = try await probe.run(
                ["rehearse", shop.endpoint, "--customers", "8", "--campaign", campaign.id, "--pay-share", "1"], killingAfter: .seconds(120))
            #expect(result.exitCode == 0, "\(result.stdout)\n\(result.stderr)")
            #expect(result.stdout.contains("Holds granted      5, to 5 customers (at most 1 each)"), "\(result.stdout)")
            #expect(result.stdout.contains("PASS  sold + held + remaining = released, at the end"))
            #expect(result.stdout.hasSuffix("PASS: every check passed\n"))
        }
    }

    @Test func withoutAnAdminSessionItIsAUsageError() async throws {
        try await withShop { shop in
            let result = try await probe.run(["rehearse", shop.endpoint, "--customers", "2"])
            #expect(result.exitCode == 64)
            #expect(result.stderr.contains("bigprobe login"))
        }
    }

    @Test func withNoCampaignItSaysHowToMakeOne() async throws {
        try await withShop { shop in
            _ = try await probe.run(["login", shop.endpoint, "--email", TestShop.adminEmail], input: TestShop.adminPassword + "\n")
            let result = try await probe.run(["rehearse", shop.endpoint, "--customers", "2"])
            #expect(result.exitCode == 64)
            #expect(result.stderr.contains("--seed-demo"))
        }
    }
}
