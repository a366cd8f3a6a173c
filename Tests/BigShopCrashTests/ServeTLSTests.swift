import BigRPC
import BigRPCNIO
import BigRPCProtos
import BigRPCTLS
import ChildProcess
import Foundation
import TLSTestSupport
import Testing

/// `bigshop serve --tls-cert FILE --tls-key FILE` as a child process: what
/// it serves, what it logs, and how it refuses bad settings.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct ServeTLSTests {
    @Test func servesTLSAndTellsPlainTextClientsSo() async throws {
        let certificates = try await TestCertificates.make()
        defer { certificates.remove() }
        let data = certificates.path("data")
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        let server = try ServerProcess(
            dataDirectory: data,
            extraArguments: [
                "--tls-cert", certificates.serverCertificateFile, "--tls-key", certificates.serverKeyFile,
                "--log-level", "info",
            ],
            clientSecurity: try TLSClientSecurity(trustRootsFile: certificates.caFile)
        )
        try await server.start()  // health checks over TLS

        let plain = BigRPCClientTransport(host: "127.0.0.1", port: server.port)
        let health = Bigrpc_Health_V1_Health.Client(wrapping: RPCClient(transport: plain))
        do {
            _ = try await health.check(.init(), options: CallOptions(timeout: .seconds(60)))
            Issue.record("a plain-text health check of a TLS port succeeded")
        } catch let error as RPCError {
            #expect(error.code == .unavailable)
            #expect(error.message.contains("this port requires TLS"), "\(error)")
        }
        await plain.close()

        #expect(await server.terminate() == 0)
        let log = try String(contentsOfFile: server.logFile, encoding: .utf8)
        #expect(log.contains("the public port serves TLS 1.3"), "\(log)")
        #expect(log.contains("TLS handshakes failed") && log.contains("a plain-text client"), "\(log)")
        #expect(!log.contains("serves plain text"))
    }

    @Test func withoutCertificatesItWarnsThatThePortIsPlainText() async throws {
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("bigshop-plain-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: data) }
        let server = try ServerProcess(dataDirectory: data)
        try await server.start()
        #expect(await server.terminate() == 0)
        let log = try String(contentsOfFile: server.logFile, encoding: .utf8)
        #expect(log.contains("warning") && log.contains("the public port serves plain text"), "\(log)")
    }

    @Test func badTLSSettingsFailTheStartWithAClearMessage() async throws {
        let certificates = try await TestCertificates.make()
        defer { certificates.remove() }
        let data = certificates.path("data")

        let half = try await Self.serve(["--data", data, "--tls-cert", certificates.serverCertificateFile])
        #expect(half.exitCode == 64)
        #expect(half.output.contains("--tls-cert and --tls-key (tlsCertificatePath, tlsKeyPath) go together"), "\(half.output)")

        let missing = certificates.path("missing.pem")
        let absent = try await Self.serve(["--data", data, "--tls-cert", missing, "--tls-key", certificates.serverKeyFile])
        #expect(absent.exitCode != 0)
        #expect(absent.output.contains("the TLS certificate file \(missing) does not exist"), "\(absent.output)")

        let swapped = try await Self.serve([
            "--data", data, "--tls-cert", certificates.serverCertificateFile, "--tls-key", certificates.clientKeyFile,
        ])
        #expect(swapped.exitCode != 0)
        #expect(swapped.output.contains("does not fit the certificate"), "\(swapped.output)")
        #expect(!FileManager.default.fileExists(atPath: data), "the databases were opened despite bad TLS settings")
    }

    /// Runs `bigshop serve arguments…` on a free port, expecting it to exit
    /// by itself (killed after 60 s).
    static func serve(_ arguments: [String]) async throws -> (exitCode: Int32, output: String) {
        let process = try ChildProcess(
            executable: try ServerProcess.executable(),
            arguments: ["serve", "--port", String(try LoopbackPort.free())] + arguments,
            standardOutput: .capture,
            standardError: .capture
        )
        let termination = await process.wait(killingAfter: .seconds(60))
        return (termination.code, String(decoding: await process.standardOutput() + process.standardError(), as: UTF8.self))
    }
}
