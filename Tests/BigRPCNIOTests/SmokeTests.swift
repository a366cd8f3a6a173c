import BigRPC
import BigRPCNIO
import BigRPCProtos
import Testing

@Suite struct SmokeTests {
    @Test func healthCheckOverTCP() async throws {
        let server = BigRPCServer(services: [])
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.run() }
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
