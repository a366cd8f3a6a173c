import BigRPC
import BigRPCTLS
import BigShopClient
import BigShopServer
import BigShopServerTestSupport
import Foundation
import TLSTestSupport
import Testing

/// `BigShopClient` against a real shop serving TLS 1.3 on its public port
/// (`--tls-cert`, `--tls-key`), with a CA and certificates made by `openssl`.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct TLSTests {
    /// Runs `body` with certificates and a demo shop serving TLS with them.
    func withTLSShop(_ body: (TestShop, TestCertificates) async throws -> Void) async throws {
        let certificates = try await TestCertificates.make()
        defer { certificates.remove() }
        try await withShop(configure: {
            $0.seedDemoCatalog = true
            $0.tlsCertificatePath = certificates.serverCertificateFile
            $0.tlsKeyPath = certificates.serverKeyFile
        }) { shop in
            try await body(shop, certificates)
        }
    }

    @Test func aCustomerSignsInAndBrowsesOverTLS() async throws {
        try await withTLSShop { shop, certificates in
            var configuration = BigShopClient.Configuration()
            configuration.tls = try TLSClientSecurity(trustRootsFile: certificates.caFile)
            let client = BigShopClient(host: "127.0.0.1", port: shop.port, configuration: configuration)
            let email = "tls-\(UUID().uuidString.prefix(8).lowercased())@client.test"
            _ = try await client.auth.register(.init(email: email, password: "tls-password-1", name: "Tânia"))
            let session = try await client.login(email: email, password: "tls-password-1")
            #expect(session.user?.email == email)
            #expect(try await client.auth.whoAmI(.init()).email == email)
            #expect(try await client.catalog.listProducts(.init(pageSize: 2)).products.count == 2)
            await client.close()
        }
    }

    @Test func aPlainTextClientIsToldThePortRequiresTLS() async throws {
        try await withTLSShop { shop, _ in
            let client = BigShopClient(host: "127.0.0.1", port: shop.port)
            do {
                _ = try await client.health.check(.init())
                Issue.record("a plain-text call to a TLS port succeeded")
            } catch let error as RPCError {
                #expect(error.code == .unavailable)
                #expect(error.message.contains("this port requires TLS"), "\(error)")
            }
            await client.close()
        }
    }

    @Test func aClientTrustingAnotherCAIsRefused() async throws {
        try await withTLSShop { shop, certificates in
            var configuration = BigShopClient.Configuration()
            configuration.tls = try TLSClientSecurity(trustRootsFile: certificates.wrongCAFile)
            configuration.retry = .none
            let client = BigShopClient(host: "127.0.0.1", port: shop.port, configuration: configuration)
            do {
                _ = try await client.login(email: TestShop.adminEmail, password: TestShop.adminPassword)
                Issue.record("a client that does not trust the server's CA signed in")
            } catch let error as RPCError {
                #expect(error.code == .unavailable)
                #expect(error.message.contains("TLS handshake failed: CERTIFICATE_VERIFY_FAILED"), "\(error)")
            }
            await client.close()
        }
    }

    @Test func theShopRefusesToStartWithHalfOrBadTLSSettings() async throws {
        let certificates = try await TestCertificates.make()
        defer { certificates.remove() }
        let data = certificates.path("data")

        var onlyCertificate = BigShopConfiguration()
        onlyCertificate.dataDirectory = data
        onlyCertificate.tlsCertificatePath = certificates.serverCertificateFile
        let half = try await #require(throws: BigShopConfigurationError.self) {
            _ = try await BigShopApp.open(ShopAssembly(configuration: onlyCertificate))
        }
        #expect(half.description.contains("give both or neither"))

        var missingKey = onlyCertificate
        missingKey.tlsKeyPath = certificates.path("nowhere.key")
        let missing = try await #require(throws: TLSConfigurationError.self) {
            _ = try await BigShopApp.open(ShopAssembly(configuration: missingKey))
        }
        #expect(missing.description == "the TLS private key file \(certificates.path("nowhere.key")) does not exist")
        // It failed before touching the data directory.
        #expect(!FileManager.default.fileExists(atPath: data))
    }
}
