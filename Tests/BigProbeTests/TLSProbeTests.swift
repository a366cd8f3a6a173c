import BigShopServerTestSupport
import Foundation
import TLSTestSupport
import Testing

/// `bigprobe --tls [--cacert FILE] [--server-name NAME]` against a real shop
/// serving TLS 1.3, with a CA and certificates made by `openssl`.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct TLSProbeTests {
    let probe = Probe()

    /// Runs `body` with certificates and a demo shop serving TLS with them:
    /// with the certificate for 127.0.0.1 and localhost, or for localhost only.
    func withTLSShop(localhostOnly: Bool = false, _ body: (TestShop, TestCertificates) async throws -> Void) async throws {
        let certificates = try await TestCertificates.make()
        defer { certificates.remove() }
        try await withShop(configure: {
            $0.seedDemoCatalog = true
            $0.tlsCertificatePath = localhostOnly ? certificates.localhostCertificateFile : certificates.serverCertificateFile
            $0.tlsKeyPath = localhostOnly ? certificates.localhostKeyFile : certificates.serverKeyFile
        }) { shop in
            try await body(shop, certificates)
        }
    }

    @Test func listAndCallOverTLS() async throws {
        try await withTLSShop { shop, certificates in
            let list = try await probe.run(["list", shop.endpoint, "--tls", "--cacert", certificates.caFile])
            #expect(list.exitCode == 0, "\(list.stderr)")
            #expect(list.stdout.split(separator: "\n").contains("bigshop.catalog.v1.CatalogService"))

            let call = try await probe.run([
                "call", "--tls", "--cacert", certificates.caFile, shop.endpoint,
                "bigshop.catalog.v1.CatalogService/ListProducts", "-d", #"{"pageSize": 2}"#,
            ])
            #expect(call.exitCode == 0, "\(call.stderr)")
            #expect((try call.json()["products"] as? [[String: Any]])?.count == 2)

            let health = try await probe.run([
                "health", "localhost:\(shop.port)", "--tls", "--cacert", certificates.caFile,
            ])
            #expect(health.exitCode == 0, "\(health.stderr)")
            #expect(health.stdout == "SERVING\n")
        }
    }

    @Test func serverNameChecksTheCertificateAgainstAnotherName() async throws {
        // A certificate for `localhost` only: connecting by address needs the name.
        try await withTLSShop(localhostOnly: true) { shop, certificates in
            let byAddress = try await probe.run(["health", shop.endpoint, "--tls", "--cacert", certificates.caFile])
            #expect(byAddress.exitCode == 78)
            #expect(byAddress.stderr.contains("TLS handshake failed: the server's certificate is not valid for"), "\(byAddress.stderr)")

            let named = try await probe.run([
                "health", shop.endpoint, "--tls", "--cacert", certificates.caFile, "--server-name", "localhost",
            ])
            #expect(named.exitCode == 0, "\(named.stderr)")
            #expect(named.stdout == "SERVING\n")

            let misnamed = try await probe.run([
                "health", shop.endpoint, "--tls", "--cacert", certificates.caFile, "--server-name", "shop.example.com",
            ])
            #expect(misnamed.exitCode == 78)
            #expect(misnamed.stderr.contains("TLS handshake failed"), "\(misnamed.stderr)")
        }
    }

    @Test func withoutTLSTheProbeIsToldThePortRequiresIt() async throws {
        try await withTLSShop { shop, _ in
            let result = try await probe.run(["call", shop.endpoint, "bigshop.catalog.v1.CatalogService/ListProducts"])
            #expect(result.exitCode == 78)  // 64 + UNAVAILABLE
            #expect(result.stderr.contains("this port requires TLS"), "\(result.stderr)")
        }
    }

    @Test func theWrongCAOrAPlainPortFailsTheHandshakeClearly() async throws {
        try await withTLSShop { shop, certificates in
            let result = try await probe.run(["list", shop.endpoint, "--tls", "--cacert", certificates.wrongCAFile])
            #expect(result.exitCode == 78)
            #expect(result.stderr.contains("TLS handshake failed: CERTIFICATE_VERIFY_FAILED"), "\(result.stderr)")
        }
        try await withDemoShop { shop in
            let certificates = try await TestCertificates.make()
            defer { certificates.remove() }
            let result = try await probe.run(["list", shop.endpoint, "--tls", "--cacert", certificates.caFile])
            #expect(result.exitCode == 78)
            #expect(result.stderr.contains("TLS handshake failed"), "\(result.stderr)")
        }
    }

    @Test func tlsOptionsAreChecked() async throws {
        let withoutTLS = try await probe.run(["health", "127.0.0.1:1", "--cacert", "/nowhere/ca.pem"])
        #expect(withoutTLS.exitCode == 64)
        #expect(withoutTLS.stderr.contains("--cacert and --server-name go with --tls"), "\(withoutTLS.stderr)")
        let missing = try await probe.run(["health", "127.0.0.1:1", "--tls", "--cacert", "/nowhere/ca.pem"])
        #expect(missing.exitCode == 64)
        #expect(missing.stderr.contains("the CA file /nowhere/ca.pem does not exist"), "\(missing.stderr)")
    }
}
