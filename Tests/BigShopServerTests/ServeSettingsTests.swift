import BigRPC
import BigShopServer
import BigShopServerTestSupport
import BigShopServiceKit
import BigShopStore
import BigShopTestSupport
import Foundation
import Testing

@testable import BigShopGateway

/// The settings that came to `bigshop serve` after their services: the
/// orchestrator's `soleInstance` and the gateways' admission of Reserves.
/// Config keys and validation here; the flags in BigShopCrashTests'
/// `ServeFlagsTests`, which run the executable.
@Suite struct ServeSettingsTests {
    @Test func admissionSettingsComeFromTheConfigFileKeyByKey() throws {
        let defaults = BigShopConfiguration()
        #expect(defaults.orchestratorSoleInstance == nil)
        #expect(defaults.admission.settings.maxQueued == DropAdmissionSettings().maxQueued)
        #expect(defaults.admission.settings.retryAfterMs == DropAdmissionSettings().retryAfterMs)
        #expect(defaults.admission.settings.feedStaleAfter == DropAdmissionSettings().feedStaleAfter)

        let json = """
            {"orchestratorSoleInstance": false,
             "admission": {"maxQueued": 50, "maxWaitSeconds": 0.5, "retryAfterMinMs": 100, "retryAfterMaxMs": 200,
                           "feedStaleAfterSeconds": 4, "maxCampaigns": 3}}
            """
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("bigshop-config-\(UUID().uuidString).json")
        try Data(json.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let loaded = try BigShopConfiguration.load(fromJSONFile: file.path)
        #expect(loaded.orchestratorSoleInstance == false)
        let settings = loaded.admission.settings
        #expect(settings.maxQueued == 50)
        #expect(settings.maxWait == .milliseconds(500))
        #expect(settings.retryAfterMs == 100...200)
        #expect(settings.feedStaleAfter == .seconds(4))
        #expect(settings.maxCampaigns == 3)
        // Keys left out keep their defaults.
        #expect(settings.minimumInFlight == DropAdmissionSettings().minimumInFlight)
        #expect(settings.idleAfter == DropAdmissionSettings().idleAfter)
        try loaded.validate()
    }

    @Test func badAdmissionSettingsFailTheStartNamingTheSetting() async throws {
        let cases: [(String, (inout AdmissionConfiguration) -> Void)] = [
            ("admission.minimumInFlight (--admission-min-in-flight) must be between 1", { $0.minimumInFlight = 0 }),
            ("admission.maxQueued (--admission-max-queued) must be between 0", { $0.maxQueued = -1 }),
            (
                "admission.retryAfterMaxMs (--admission-retry-after-max-ms) must be between 900",
                {
                    $0.retryAfterMinMs = 900
                    $0.retryAfterMaxMs = 100
                }
            ),
            ("admission.maxWaitSeconds (--admission-max-wait) must be more than 0", { $0.maxWaitSeconds = 0 }),
            ("admission.feedStaleAfterSeconds (--admission-feed-stale-after) must be more than 1", { $0.feedStaleAfterSeconds = 0.5 }),
            ("admission.idleAfterSeconds (--admission-idle-after)", { $0.idleAfterSeconds = .nan }),
            ("admission.dropOpeningMarginSeconds (--admission-drop-opening-margin) must be at least 0", { $0.dropOpeningMarginSeconds = -1 }),
        ]
        let directory = NSTemporaryDirectory() + "bigshop-settings-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for (expected, configure) in cases {
            var configuration = BigShopConfiguration()
            configuration.dataDirectory = directory
            configure(&configuration.admission)
            do {
                _ = try await BigShopApp.open(ShopAssembly(configuration: configuration))
                Issue.record("\(expected): the app opened")
            } catch {
                #expect(String(describing: error).contains(expected), "\(error)")
            }
        }
        #expect(!FileManager.default.fileExists(atPath: directory), "databases were opened despite a bad setting")
    }

    /// `admission.maxCampaigns`: a gateway keeps a queue for that many
    /// campaigns and lets Reserves for more go straight to the owner.
    @Test func theGatewayAdmitsAsConfigured() async throws {
        let clock = ManualClock(nowMs: FlashSaleFlowTests.blackFriday + 1_000)
        try await withShop(clock: clock, configure: { $0.admission.maxCampaigns = 1 }) { shop in
            let admission = try #require(shop.app.admission)
            let (_, first) = try await FlashSaleFlowTests.campaign(in: shop, units: 5, startsAtMs: FlashSaleFlowTests.blackFriday)
            let (_, second) = try await FlashSaleFlowTests.campaign(in: shop, units: 5, startsAtMs: FlashSaleFlowTests.blackFriday)
            let buyer = try await shop.newCustomer().clients
            _ = try await buyer.flashSale.reserve(.init(campaignId: first.id))
            let afterFirst = admission.counts.admitted
            #expect(afterFirst == 1)
            _ = try await buyer.flashSale.reserve(.init(campaignId: second.id))
            #expect(admission.counts.admitted == afterFirst, "a second campaign got a gate past maxCampaigns = 1")
        }
    }

    /// `orchestratorSoleInstance`: a replica (false) leaves a live
    /// `orchestrator-leader` lease to its holder; a sole orchestrator (true)
    /// takes it at once. The lease is another orchestrator's, for longer
    /// than the test, so no starved renewal decides the outcome.
    @Test func aReplicaOrchestratorLeavesALiveLeaseASoleOneTakesIt() async throws {
        let directory = NSTemporaryDirectory() + "bigshop-sole-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let clock = SystemClock()
        try await withShop([.orchestrator], directory: directory, clock: clock) { _ in }  // makes the database
        let storage = TestStorage.forDirectory(directory)
        var role: String?
        if case .postgres(let postgres) = storage { role = postgres.role(forService: "orchestrator") }
        let database = try await Database(
            location: storage.location(forService: "orchestrator"),
            configuration: DatabaseConfiguration(readerCount: 1, postgresWriterCount: 1, postgresRole: role))
        let lease = ServiceLease(name: "orchestrator-leader", holder: "another-orchestrator", address: "", ttlMs: 600_000)
        _ = try await database.write { try lease.acquire(in: $0, evenIfLive: true) }
        await database.close()

        try await withShop(
            [.orchestrator], directory: directory, clock: clock, assemble: { $0.configuration.orchestratorSoleInstance = false }
        ) { replica in
            #expect(replica.shop.orchestrator?.isLeader == false, "a replica took a live lease")
        }
        try await withShop(
            [.orchestrator], directory: directory, clock: clock, assemble: { $0.configuration.orchestratorSoleInstance = true }
        ) { sole in
            #expect(sole.shop.orchestrator?.isLeader == true, "the sole orchestrator did not take the lease at once")
        }
    }
}
