import BigRPC
import BigRPCInterop
import BigRPCMetrics
import BigRPCNIO
import BigRPCTestingProtos
import MetricsTestKit
import Testing

/// The client transport's connection gauge over real TCP on loopback: up
/// when a call connects, down when the client closes the connection or the
/// server goes away, untouched by a connection that never opened.
@Suite(.timeLimit(.minutes(1))) struct ClientTransportMetricsTests {
    @Test func countsOpenConnections() async throws {
        let metrics = TestMetrics()
        let server = BigRPCServer()
        let running = Task { try await server.listen(RPCServer(services: [TestServiceProvider()])) }
        defer { running.cancel() }
        let port = try await server.listeningAddress().port!
        let labels = [("target", "test")]
        var configuration = BigRPCClientTransport.Configuration()
        configuration.observer = ClientTransportMetrics(target: "test", factory: metrics)
        let transport = BigRPCClientTransport(host: "127.0.0.1", port: port, configuration: configuration)
        let client = Bigrpc_Testing_V1_TestService.Client(wrapping: RPCClient(transport: transport))
        let open = { (try? metrics.expectMeter("rpc_client_connections", labels).lastValue) ?? -1 }
        let opened = { (try? metrics.expectCounter("rpc_client_connections_opened_total", labels).totalValue) ?? -1 }

        // Two calls share one connection.
        _ = try await client.emptyCall(.init())
        _ = try await client.emptyCall(.init())
        #expect(open() == 1)
        #expect(opened() == 1)

        // Closed by the client.
        await transport.close()
        try await waitFor { open() == 0 }

        // The next call connects again; then the server goes away.
        _ = try await client.emptyCall(.init())
        #expect(open() == 1)
        #expect(opened() == 2)
        server.beginGracefulShutdown()
        try await running.value
        try await waitFor { open() == 0 }

        // Nobody listens now: the call fails and no connection is counted.
        let refused = await #expect(throws: RPCError.self) { _ = try await client.emptyCall(.init()) }
        #expect(refused?.code == .unavailable)
        #expect(open() == 0)
        #expect(opened() == 2)
        await transport.close()
    }

    /// Polls `condition` every 10 ms for at most 5 s.
    private func waitFor(_ condition: () -> Bool) async throws {
        for _ in 0..<500 {
            if condition() { return }
            try await Task.sleep(for: .milliseconds(10))
        }
        Issue.record("condition not met within 5 s")
    }
}
