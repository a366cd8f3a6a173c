import BigRPC
import BigRPCInterop
import BigRPCMetrics
import BigRPCNIO
import BigRPCTestingProtos
import MetricsTestKit
import NIOCore
import NIOPosix
import Testing

/// The NIO transport's connection gauge and protocol-violation counter,
/// over real TCP on loopback.
@Suite(.timeLimit(.minutes(1))) struct TransportMetricsTests {
    @Test func countsConnectionsAndViolations() async throws {
        let metrics = TestMetrics()
        var configuration = BigRPCServer.Configuration()
        configuration.observer = TransportMetrics(port: "public", factory: metrics)
        let server = BigRPCServer(configuration: configuration)
        let running = Task { try await server.listen(RPCServer(services: [TestServiceProvider()])) }
        defer { running.cancel() }
        let port = try await server.listeningAddress().port!
        let labels = [("port", "public")]

        let transport = BigRPCClientTransport(host: "127.0.0.1", port: port)
        _ = try await Bigrpc_Testing_V1_TestService.Client(wrapping: RPCClient(transport: transport)).emptyCall(.init())
        #expect(try metrics.expectMeter("rpc_server_connections", labels).lastValue == 1)
        #expect(try metrics.expectCounter("rpc_server_connections_opened_total", labels).totalValue == 1)

        // A frame length over the maximum: GOAWAY RESOURCE_EXHAUSTED, then closed.
        let raw = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton).connect(host: "127.0.0.1", port: port).get()
        try await raw.writeAndFlush(ByteBuffer(bytes: [0x7F, 0xFF, 0xFF, 0xFF]))
        try await raw.closeFuture.get()
        try await waitFor { (try? metrics.expectMeter("rpc_server_connections", labels).lastValue) == 1 }
        let violations = try metrics.expectCounter("rpc_server_protocol_violations_total", labels + [("code", "RESOURCE_EXHAUSTED")])
        #expect(violations.totalValue == 1)
        #expect(try metrics.expectCounter("rpc_server_connections_opened_total", labels).totalValue == 2)

        await transport.close()
        try await waitFor { (try? metrics.expectMeter("rpc_server_connections", labels).lastValue) == 0 }
        server.beginGracefulShutdown()
        try await running.value
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
