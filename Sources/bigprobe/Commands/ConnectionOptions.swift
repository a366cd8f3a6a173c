import ArgumentParser
import BigRPCNIO
import BigRPCTLS
import Logging

/// How every verb that talks to a server connects: plain TCP, or TLS 1.3
/// with `--tls`, trusting the system's CAs or those of `--cacert`.
struct ConnectionOptions: ParsableArguments {
    @Flag(help: "Connect with TLS 1.3 and verify the server's certificate (the system's CAs unless --cacert).")
    var tls = false

    @Option(
        name: .customLong("cacert"),
        help: ArgumentHelp("With --tls: trust the CA certificates in this PEM file instead of the system's.", valueName: "file")
    )
    var caCertificateFile: String?

    @Option(
        name: .customLong("server-name"),
        help: ArgumentHelp(
            "With --tls: the name the server's certificate must be valid for, when it is not HOST.",
            valueName: "name"
        )
    )
    var serverName: String?

    func validate() throws {
        if !tls, caCertificateFile != nil || serverName != nil {
            throw ValidationError("--cacert and --server-name go with --tls")
        }
    }

    /// `count` transports to `endpoint` sharing one TLS setup, each opening
    /// its connection on first use. Their log goes to standard error,
    /// warnings and worse only: standard output carries responses.
    func transports(to endpoint: Endpoint, count: Int = 1) throws -> [BigRPCClientTransport] {
        var configuration = BigRPCClientTransport.Configuration()
        if tls {
            do {
                configuration.security = try TLSClientSecurity(trustRootsFile: caCertificateFile, serverName: serverName)
            } catch {
                throw ProbeError("\(error)")
            }
        }
        var logger = Logger(label: "bigprobe") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = .warning
        return (0..<count).map { _ in
            BigRPCClientTransport(host: endpoint.host, port: endpoint.port, configuration: configuration, logger: logger)
        }
    }

    /// Runs `body` with a transport to `endpoint`, closed when it returns.
    func withTransport<Result>(to endpoint: Endpoint, _ body: (BigRPCClientTransport) async throws -> Result) async throws -> Result {
        let transport = try transports(to: endpoint)[0]
        do {
            let result = try await body(transport)
            await transport.close()
            return result
        } catch {
            await transport.close()
            throw error
        }
    }
}
