import BigShopTestSupport
import ChildProcess
import Foundation
import TLSTestSupport
import Testing

@testable import BigShopStore

/// libpq's `sslmode` and `sslrootcert` in the URL, parsed: what each mode asks of the
/// server, and the combinations libpq refuses.
@Suite struct PostgresTLSSettingsTests {
    @Test func theURLSaysHowMuchTLS() throws {
        let plain = try PostgresEndpoint(url: "postgres://shop@db:5432/bigshop")
        #expect(plain.tls == .preferred)
        #expect(plain.tls.verification == .unchecked)
        #expect("\(plain)" == "postgres://shop@db:5432/bigshop")

        let full = try PostgresEndpoint(url: "postgres://shop@db/bigshop?sslmode=verify-full&sslrootcert=/etc/ca.pem")
        #expect(full.tls.mode == .verifyFull)
        #expect(full.tls.rootCertificates == "/etc/ca.pem")
        #expect(full.tls.verification == .chainAndHost)
        #expect("\(full)" == "postgres://shop@db:5432/bigshop?sslmode=verify-full&sslrootcert=/etc/ca.pem")

        #expect(try PostgresEndpoint(url: "postgres://s@db/b?sslmode=disable").tls.verification == nil)
        #expect(try PostgresEndpoint(url: "postgres://s@db/b?sslmode=require").tls.verification == .unchecked)
        // As libpq: require with a root certificate checks the chain.
        #expect(
            try PostgresEndpoint(url: "postgres://s@db/b?sslmode=require&sslrootcert=/ca.pem").tls.verification
                == .chain)
        #expect(
            try PostgresEndpoint(url: "postgres://s@db/b?sslmode=verify-ca&sslrootcert=/ca.pem").tls.verification
                == .chain)
    }

    @Test func combinationsLibpqRefusesAreRefused() {
        let refused: [(String, String)] = [
            ("postgres://s@db/b?sslmode=verify-full", "sslmode=verify-full needs sslrootcert"),
            ("postgres://s@db/b?sslmode=verify-ca", "sslmode=verify-ca needs sslrootcert"),
            ("postgres://s@db/b?sslmode=allow", "sslmode=allow is not one of disable, prefer, require, verify-ca, verify-full"),
            ("postgres://s@db/b?sslmode=Require", "is not one of"),
            ("postgres://s@db/b?sslmode=require&sslrootcert=system", "sslrootcert=system needs sslmode=verify-full"),
            ("postgres://s@db/b?sslcert=/c.pem", "sslcert and sslkey go together"),
            ("postgres://s@db/b?ssl_mode=require", "has a parameter 'ssl_mode'"),
            ("postgres://s@db/b?sslmode=require&sslmode=disable", "must be given once"),
        ]
        for (url, expected) in refused {
            let error = #expect(throws: StoreError.self) { try PostgresEndpoint(url: url) }
            #expect("\(error.map(String.init(describing:)) ?? "")".contains(expected), "\(url): \(String(describing: error))")
        }
    }
}

/// TLS to a real server: a throw-away cluster of its own with `ssl=on` and a certificate
/// for `localhost` only, signed by the test's CA (`scripts/postgres-cluster --ssl`).
@Suite(
    "PostgreSQL over TLS", .enabled(if: TestPostgres.isAvailable, "needs BIGSHOP_TEST_POSTGRES_URL (scripts/with-postgres)"),
    .timeLimit(.minutes(3)))
struct PostgresTLSTests {
    static var script: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("scripts/postgres-cluster").path
    }

    /// Runs the cluster script; returns its standard output.
    static func cluster(_ arguments: [String]) async throws -> String {
        let process = try ChildProcess(executable: script, arguments: arguments, standardOutput: .capture, standardError: .capture)
        let termination = await process.wait(killingAfter: .seconds(120))
        let output = String(decoding: await process.standardOutput(), as: UTF8.self)
        guard termination.code == 0 else {
            throw StoreError.invalidConfiguration(
                "postgres-cluster \(arguments.first ?? "") failed: \(String(decoding: await process.standardError(), as: UTF8.self))")
        }
        return output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Whether the session of a new connection to `url` is encrypted, from `pg_stat_ssl`.
    static func sessionUsesTLS(_ url: String) async throws -> Bool {
        let database = try await Database(
            location: .postgres(try PostgresEndpoint(url: url), schema: "public"),
            configuration: DatabaseConfiguration(readerCount: 1, postgresWriterCount: 1))
        do {
            let ssl = try await database.read {
                try $0.queryOne("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")!.int(0)
            }
            await database.close()
            return ssl == 1
        } catch {
            await database.close()
            throw error
        }
    }

    /// The message of the error that opening `url` throws.
    static func failure(_ url: String) async -> String {
        do {
            _ = try await sessionUsesTLS(url)
            return "connected"
        } catch {
            return String(describing: error)
        }
    }

    @Test func eachModeAgainstAServerWithTLS() async throws {
        let certificates = try await TestCertificates.make()
        defer { certificates.remove() }
        // Short and plain: the script refuses paths a Unix socket or pg_ctl cannot take.
        let directory = "/tmp/bigshop-pg.tls-\(UUID().uuidString.prefix(8))"
        let started = try await Self.cluster(["start", directory, "--ssl", certificates.localhostCertificateFile, certificates.localhostKeyFile])
        do {
            try await checkModes(URLComponents(string: started)!.port!, certificates)
        } catch {
            _ = try? await Self.cluster(["stop", directory])
            throw error
        }
        _ = try await Self.cluster(["stop", directory])
    }

    func checkModes(_ port: Int, _ certificates: TestCertificates) async throws {
        let ca = certificates.caFile
        // The certificate names localhost, not 127.0.0.1.
        let byName = "postgres://bigshop@localhost:\(port)/bigshop"
        let byAddress = "postgres://bigshop@127.0.0.1:\(port)/bigshop"

        #expect(try await Self.sessionUsesTLS(byName + "?sslmode=verify-full&sslrootcert=\(ca)"))
        #expect(try await Self.sessionUsesTLS(byName), "prefer (the default) encrypts when the server can")
        #expect(try await Self.sessionUsesTLS(byAddress + "?sslmode=require"), "require checks nothing")
        #expect(try await Self.sessionUsesTLS(byAddress + "?sslmode=verify-ca&sslrootcert=\(ca)"), "verify-ca ignores the name")
        #expect(try await !Self.sessionUsesTLS(byName + "?sslmode=disable"))

        let wrongHost = await Self.failure(byAddress + "?sslmode=verify-full&sslrootcert=\(ca)")
        #expect(wrongHost.contains("TLS to PostgreSQL at 127.0.0.1:\(port) failed (sslmode=verify-full)"), "\(wrongHost)")
        let wrongCA = await Self.failure(byName + "?sslmode=verify-full&sslrootcert=\(certificates.wrongCAFile)")
        #expect(wrongCA.contains("TLS to PostgreSQL at localhost:\(port) failed (sslmode=verify-full)"), "\(wrongCA)")
        let missing = await Self.failure(byName + "?sslmode=verify-ca&sslrootcert=/nonexistent/ca.pem")
        #expect(missing.contains("sslrootcert /nonexistent/ca.pem does not exist or cannot be read"), "\(missing)")
    }

    @Test func requireAgainstAServerWithoutTLSFailsPreferDoesNot() async throws {
        let endpoint = try #require(TestPostgres.endpoint)
        let url = "postgres://\(endpoint.username)@\(endpoint.host):\(endpoint.port)/\(endpoint.database)"
        let refused = await Self.failure(url + "?sslmode=require")
        #expect(refused.contains("does not accept TLS, which sslmode=require requires"), "\(refused)")
        #expect(try await !Self.sessionUsesTLS(url + "?sslmode=prefer"))
    }
}
