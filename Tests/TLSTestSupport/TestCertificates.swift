import ChildProcess
import Foundation

/// A throw-away PKI made with the `openssl` command in a temporary
/// directory: a CA, a server certificate for 127.0.0.1 and localhost (IP and
/// DNS subject alternative names) and one for localhost alone, signed by it,
/// a second CA that signed nothing the servers use, and client certificates
/// for mutual TLS.
public struct TestCertificates: Sendable {
    public let directory: String

    /// The CA that signed the server's certificate.
    public var caFile: String { path("ca.pem") }
    /// A CA that signed nothing the server uses.
    public var wrongCAFile: String { path("wrong-ca.pem") }
    /// The server's certificate (SANs `localhost`, `127.0.0.1`) and key.
    public var serverCertificateFile: String { path("server.pem") }
    public var serverKeyFile: String { path("server.key") }
    /// A server certificate for the name `localhost` only (no IP address),
    /// and its key.
    public var localhostCertificateFile: String { path("localhost.pem") }
    public var localhostKeyFile: String { path("localhost.key") }
    /// A client certificate for `spiffe://bigshop/orders`, signed by ``caFile``.
    public var clientCertificateFile: String { path("client.pem") }
    public var clientKeyFile: String { path("client.key") }
    /// A client certificate signed by ``wrongCAFile``.
    public var wrongClientCertificateFile: String { path("wrong-client.pem") }
    public var wrongClientKeyFile: String { path("wrong-client.key") }

    /// The URI SAN of ``clientCertificateFile``.
    public static let clientURI = "spiffe://bigshop/orders"

    /// Makes every file; throws when `openssl` fails or is missing.
    public static func make() async throws -> TestCertificates {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("bigshop-tls-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let certificates = TestCertificates(directory: directory)
        do {
            try await certificates.makeCA("ca", name: "BigShop Test CA")
            try await certificates.makeCA("wrong-ca", name: "Some Other CA")
            try await certificates.makeLeaf(
                "server", name: "localhost", ca: "ca",
                extensions: "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n"
            )
            try await certificates.makeLeaf(
                "localhost", name: "localhost", ca: "ca",
                extensions: "subjectAltName=DNS:localhost\nextendedKeyUsage=serverAuth\n"
            )
            try await certificates.makeLeaf(
                "client", name: "orders", ca: "ca",
                extensions: "subjectAltName=URI:\(clientURI)\nextendedKeyUsage=clientAuth\n"
            )
            try await certificates.makeLeaf(
                "wrong-client", name: "intruder", ca: "wrong-ca",
                extensions: "subjectAltName=URI:spiffe://bigshop/intruder\nextendedKeyUsage=clientAuth\n"
            )
        } catch {
            certificates.remove()
            throw error
        }
        return certificates
    }

    /// Makes a certificate (and key) for a BigShop process running
    /// `services`, each named by a `spiffe://bigshop/<service>` URI SAN,
    /// signed by ``caFile`` (or by ``wrongCAFile`` with `wrongCA`), usable
    /// as server and client; returns the certificate's and key's paths.
    public func makeServiceCertificate(_ name: String, services: [String], wrongCA: Bool = false) async throws -> (certificate: String, key: String) {
        let uris = services.map { "URI:spiffe://bigshop/\($0)" }.joined(separator: ",")
        try await makeLeaf(
            name, name: name, ca: wrongCA ? "wrong-ca" : "ca",
            extensions: "subjectAltName=\(uris),IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n")
        return (path("\(name).pem"), path("\(name).key"))
    }

    /// Deletes the directory.
    public func remove() {
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// A file in the directory.
    public func path(_ name: String) -> String {
        directory + "/" + name
    }

    private func makeCA(_ name: String, name commonName: String) async throws {
        try await Self.openssl([
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", path("\(name).key"), "-out", path("\(name).pem"), "-days", "2",
            "-subj", "/CN=\(commonName)",
            "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign",
        ])
    }

    private func makeLeaf(_ name: String, name commonName: String, ca: String, extensions: String) async throws {
        let extensionsFile = path("\(name).ext")
        try (extensions + "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n")
            .write(toFile: extensionsFile, atomically: true, encoding: .utf8)
        try await Self.openssl([
            "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", path("\(name).key"), "-out", path("\(name).csr"), "-subj", "/CN=\(commonName)",
        ])
        try await Self.openssl([
            "x509", "-req", "-in", path("\(name).csr"), "-CA", path("\(ca).pem"), "-CAkey", path("\(ca).key"),
            "-set_serial", String(UInt32.random(in: 1...UInt32.max)), "-days", "2",
            "-extfile", extensionsFile, "-out", path("\(name).pem"),
        ])
    }

    /// Runs `openssl arguments…` and waits for it (it never reads input).
    private static func openssl(_ arguments: [String]) async throws {
        let result = try await OpenSSLCommand.run(arguments, timeout: .seconds(60))
        guard result.exitCode == 0 else {
            throw TestCertificatesError("openssl \(arguments.prefix(2).joined(separator: " ")) failed: \(result.output)")
        }
    }
}

/// The `openssl` command line tool, run with a bound on its time.
public enum OpenSSLCommand {
    /// Runs `openssl arguments…` with an empty standard input; kills it after
    /// `timeout`. Returns its exit code and its output followed by its errors.
    public static func run(_ arguments: [String], timeout: Duration) async throws -> (exitCode: Int32, output: String) {
        let process = try ChildProcess(
            executable: try executable(),
            arguments: arguments,
            standardOutput: .capture,
            standardError: .capture
        )
        let termination = await process.wait(killingAfter: timeout)
        return (termination.code, String(decoding: await process.standardOutput() + process.standardError(), as: UTF8.self))
    }

    static func executable() throws -> String {
        for candidate in ["/usr/bin/openssl", "/usr/local/bin/openssl", "/bin/openssl"]
        where FileManager.default.isExecutableFile(atPath: candidate) {
            return candidate
        }
        throw TestCertificatesError("the openssl command is missing (scripts/install-deps installs it)")
    }
}

public struct TestCertificatesError: Error, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
