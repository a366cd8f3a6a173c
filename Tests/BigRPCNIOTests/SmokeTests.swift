import BigRPC
import BigRPCNIO
import BigRPCProtos
import BigRPCStandardServices
import BigRPCTestingProtos
import Synchronization
import Testing

@Suite struct SmokeTests {
    @Test func healthCheckOverTCP() async throws {
        // The standard services, registered by the caller as every server does.
        let rpcServer = RPCServer(services: StandardServices(serving: []).all)
        let server = BigRPCServer()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.listen(rpcServer) }
            let address = try await server.listeningAddress()
            let transport = BigRPCClientTransport(host: "127.0.0.1", port: address.port!)
            let client = Bigrpc_Health_V1_Health.Client(wrapping: RPCClient(transport: transport))
            let response = try await client.check(.init())
            #expect(response.status == .serving)
            let reflection = Bigrpc_Reflection_V1_Reflection.Client(wrapping: RPCClient(transport: transport))
            let services = try await reflection.listServices(.init()).services
            #expect(services == ["bigrpc.health.v1.Health", "bigrpc.reflection.v1.Reflection"])
            await #expect(throws: RPCError.self) { try await client.check(.init(service: "nope")) }
            await transport.close()
            server.beginGracefulShutdown()
            try await group.waitForAll()
        }
    }
}

/// The transport is only a transport: it adds no service, and its
/// lifecycle is its own.
@Suite(.timeLimit(.minutes(1)))
struct TransportOnlyTests {
    @Test func theTransportRegistersNoServiceOfItsOwn() async throws {
        try await withTestServer(services: []) { server in
            let transport = server.transport()
            let health = Bigrpc_Health_V1_Health.Client(wrapping: RPCClient(transport: transport))
            let error = await #expect(throws: RPCError.self) { try await health.check(.init()) }
            #expect(error?.code == .unimplemented)
            await transport.close()
        }
    }

    @Test func aShutdownBeforeListeningMakesListenReturnAtOnce() async throws {
        let server = BigRPCServer()
        server.beginGracefulShutdown()
        try await server.listen(RPCServer(services: []))
    }
}

@Suite struct LocalAddressTests {
    /// A client bound to another loopback address is seen by the server as
    /// that address: what per-address limits key on.
    @Test func clientConnectsFromItsConfiguredLocalHost() async throws {
        let peers = PeerRecorder()
        try await withTestServer(services: [ProbeService()], interceptors: [peers]) { server in
            var configuration = BigRPCClientTransport.Configuration()
            configuration.localHost = "127.0.0.2"
            let transport = BigRPCClientTransport(host: "127.0.0.1", port: server.port, configuration: configuration)
            let client = RPCClient(transport: transport)
            _ = try await client.unary(
                request: Bigrpc_Testing_V1_SimpleRequest(payload: [1]),
                method: ProbeService.echo,
                responseType: Bigrpc_Testing_V1_SimpleResponse.self
            )
            await transport.close()
            #expect(peers.seen.count == 1)
            #expect(peers.seen.first?.hasPrefix("127.0.0.2:") == true)
        }
    }
}

/// Records the peer of every call.
private final class PeerRecorder: ServerInterceptor {
    private let peers = Mutex<[String]>([])
    var seen: [String] { peers.withLock { $0 } }

    func intercept(context: ServerContext, next: @Sendable (ServerContext) async throws -> Void) async throws {
        peers.withLock { $0.append(context.peer) }
        try await next(context)
    }
}
