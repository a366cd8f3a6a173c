import ArgumentParser
import BigRPC
import BigRPCInterop
import BigRPCNIO
import BigRPCStandardServices
import Logging
import ServiceLifecycle

/// `bigrpc-interop`: the conformance service of interop-v1.md, as a server
/// and as a client that checks any server.
@main
struct BigRPCInteropCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bigrpc-interop",
        abstract: "The BigRPC conformance service (interop-v1) and its test client.",
        subcommands: [Server.self, Client.self]
    )

    struct Server: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Serve bigrpc.testing.v1.TestService until SIGTERM or SIGINT (graceful shutdown, exit 0)."
        )

        @Option(help: "The address to listen on.")
        var host = "127.0.0.1"

        @Option(help: "The port to listen on.")
        var port: Int

        @Option(help: "The largest frame payload accepted, in bytes.")
        var maxPayload = 4 * 1024 * 1024

        func run() async throws {
            var logger = Logger(label: "bigrpc-interop")
            logger.logLevel = .info
            var configuration = BigRPCServer.Configuration()
            configuration.host = host
            configuration.port = port
            configuration.maxPayloadSize = maxPayload
            let services: [any RegistrableRPCService] = [TestServiceProvider(maxPayloadSize: maxPayload)]
            let server = RPCServer(
                services: StandardServices(serving: services).all,
                interceptors: [EchoMetadataInterceptor()],
                logger: logger
            )
            let transport = BigRPCServer(configuration: configuration, logger: logger)
            let group = ServiceGroup(
                services: [Listener(transport: transport, server: server)],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger
            )
            try await group.run()
        }
    }

    struct Client: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run conformance cases against a server; exits non-zero if any fails."
        )

        @Option(help: "The server's address.")
        var host = "127.0.0.1"

        @Option(help: "The server's port.")
        var port: Int

        @Option(name: .customLong("case"), help: "A case name, or `all`. Cases: \(InteropCase.allCases.map(\.rawValue).joined(separator: ", ")).")
        var testCase = "all"

        func validate() throws {
            guard testCase == "all" || InteropCase(rawValue: testCase) != nil else {
                throw ValidationError("unknown case `\(testCase)`")
            }
        }

        func run() async throws {
            let cases = InteropCase(rawValue: testCase).map { [$0] } ?? InteropCase.allCases
            let transport = BigRPCClientTransport(host: host, port: port)
            let results = await InteropClient.runAll(cases, on: RPCClient(transport: transport))
            await transport.close()
            for result in results {
                let mark = result.passed ? "PASS" : "FAIL"
                print("\(mark)  \(result.name)  (\(result.duration))" + (result.failureMessage.map { "\n      \($0)" } ?? ""))
            }
            let failed = results.filter { !$0.passed }.count
            print("\(results.count - failed) passed, \(failed) failed")
            if failed > 0 { throw ExitCode.failure }
        }
    }
}

/// The server as a swift-service-lifecycle service: a graceful shutdown
/// drains the transport.
struct Listener: Service {
    let transport: BigRPCServer
    let server: RPCServer

    func run() async throws {
        try await withGracefulShutdownHandler {
            try await transport.listen(server)
        } onGracefulShutdown: {
            transport.beginGracefulShutdown()
        }
    }
}
