import BigRPC
import BigShopCatalogAPI
import BigShopServer
import BigShopServerTestSupport
import Foundation
import Testing

/// The public port's transport settings: a small payload limit by default
/// (shop messages are a few KiB), the protocol's 4 MiB for the conformance
/// service, and every budget readable from a config file.
@Suite struct TransportSettingsTests {
    @Test func thePayloadLimitIsSmallUnlessTheConformanceServiceIsOn() {
        var configuration = BigShopConfiguration()
        #expect(configuration.maxPayloadBytes == nil)
        #expect(configuration.effectiveMaxPayloadBytes == 64 * 1024)
        configuration.enableConformanceService = true
        #expect(configuration.effectiveMaxPayloadBytes == 4 * 1024 * 1024)
        configuration.maxPayloadBytes = 100_000
        #expect(configuration.effectiveMaxPayloadBytes == 100_000, "an explicit limit wins")
        configuration.enableConformanceService = false
        #expect(configuration.effectiveMaxPayloadBytes == 100_000)
    }

    @Test func theBudgetsHaveDefaultsAndConfigKeys() throws {
        let defaults = BigShopConfiguration()
        #expect(defaults.requestTimeoutSeconds == 10)
        #expect(defaults.connectionSetupTimeoutSeconds == 5)
        #expect(defaults.maxBufferedRequestBytes == 256 * 1024 * 1024)
        #expect(defaults.maxBufferedRequestBytesPerConnection == 16 * 1024 * 1024)
        #expect(defaults.maxConnections == 10_000)
        #expect(defaults.maxConnectionsPerAddress == 500)
        #expect(defaults.maxOpenStreams == 50_000)
        #expect(defaults.maxOpenStreamsPerAddress == 2_048)
        #expect(defaults.maxStreamChurn == 200)

        let json = """
            {"maxPayloadBytes": 8192, "requestTimeoutSeconds": 2.5, "connectionSetupTimeoutSeconds": 1,
             "maxBufferedRequestBytes": 1000000, "maxBufferedRequestBytesPerConnection": 50000,
             "maxConnections": 300, "maxConnectionsPerAddress": 20,
             "maxOpenStreams": 900, "maxOpenStreamsPerAddress": 90, "maxStreamChurn": 9}
            """
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("bigshop-config-\(UUID().uuidString).json")
        try Data(json.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let loaded = try BigShopConfiguration.load(fromJSONFile: file.path)
        #expect(loaded.maxPayloadBytes == 8192)
        #expect(loaded.requestTimeoutSeconds == 2.5)
        #expect(loaded.connectionSetupTimeoutSeconds == 1)
        #expect(loaded.maxBufferedRequestBytes == 1_000_000)
        #expect(loaded.maxBufferedRequestBytesPerConnection == 50_000)
        #expect(loaded.maxConnections == 300)
        #expect(loaded.maxConnectionsPerAddress == 20)
        #expect(loaded.maxOpenStreams == 900)
        #expect(loaded.maxOpenStreamsPerAddress == 90)
        #expect(loaded.maxStreamChurn == 9)
        #expect(try BigShopConfiguration.load(fromJSONFile: writeEmptyConfig()).maxPayloadBytes == nil)
    }

    @Test func theShopRefusesARequestOverItsPayloadLimit() async throws {
        let shop = try await TestShop.start()
        defer { shop.removeData() }
        // A 100 KiB product id: over the 64 KiB limit, refused from the frame header.
        let code = await statusCode {
            try await shop.clients().catalog.getProduct(.init(id: String(repeating: "x", count: 100 * 1024)))
        }
        #expect(code != nil)
        // A real request from a fresh connection is served as usual.
        #expect(await statusCode { try await shop.clients().catalog.listProducts(.init(pageSize: 1)) } == nil)
        try await shop.stop()
    }

    private func writeEmptyConfig() throws -> String {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("bigshop-config-\(UUID().uuidString).json")
        try Data("{}".utf8).write(to: file)
        return file.path
    }
}
