import BigRPC
import BigRPCNIO
import NIOCore

/// A real BigRPC server on a free loopback port, run in a background task
/// for the length of a test.
struct TestServer {
    let server: BigRPCServer
    let port: Int
    private let task: Task<Void, any Error>

    init(
        services: [any RegistrableRPCService],
        interceptors: [any ServerInterceptor] = [],
        configure: (inout BigRPCServer.Configuration) -> Void = { _ in }
    ) async throws {
        var configuration = BigRPCServer.Configuration()
        configuration.host = "127.0.0.1"
        configuration.port = 0
        // The 5 s default closes a connection whose first call a loaded test
        // machine (the whole suite runs in parallel on two cores) has not
        // sent yet; tests of the setup timeout set their own.
        configuration.connectionSetupTimeout = .seconds(60)
        configure(&configuration)
        let server = BigRPCServer(configuration: configuration)
        let rpcServer = RPCServer(services: services, interceptors: interceptors)
        self.server = server
        self.task = Task { try await server.listen(rpcServer) }
        self.port = try await server.listeningAddress().port!
    }

    /// A client transport to this server.
    func transport() -> BigRPCClientTransport {
        BigRPCClientTransport(host: "127.0.0.1", port: port)
    }

    func client() -> RPCClient {
        RPCClient(transport: transport())
    }

    /// Gracefully shuts down and waits until the server has stopped.
    func stop() async throws {
        server.beginGracefulShutdown()
        try await task.value
    }

    /// Waits for `listen(_:)` to return after a shutdown started elsewhere.
    func waitUntilStopped() async throws {
        try await task.value
    }
}

/// Runs `body` with a server and always stops the server afterwards.
func withTestServer<R>(
    services: [any RegistrableRPCService],
    interceptors: [any ServerInterceptor] = [],
    configure: (inout BigRPCServer.Configuration) -> Void = { _ in },
    _ body: (TestServer) async throws -> R
) async throws -> R {
    let server = try await TestServer(services: services, interceptors: interceptors, configure: configure)
    do {
        let result = try await body(server)
        try await server.stop()
        return result
    } catch {
        try? await server.stop()
        throw error
    }
}
