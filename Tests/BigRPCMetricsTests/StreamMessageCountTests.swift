import BigRPC
import BigRPCInterop
import BigRPCMetrics
import BigRPCNIO
import BigRPCTestingProtos
import MetricsTestKit
import Testing

/// The message counters of streaming calls, counted on both ends of real
/// TCP: each message of a stream side, and one for a single-message side.
@Suite(.timeLimit(.minutes(1))) struct StreamMessageCountTests {
    static let service = "bigrpc.testing.v1.TestService"

    @Test func countsEveryMessageOfEachStreamingShape() async throws {
        let serverMetrics = TestMetrics()
        let clientMetrics = TestMetrics()
        let server = BigRPCServer()
        let rpcServer = RPCServer(services: [TestServiceProvider()], interceptors: [ServerMetricsInterceptor(factory: serverMetrics)])
        let running = Task { try await server.listen(rpcServer) }
        defer { running.cancel() }
        let port = try await server.listeningAddress().port!
        let transport = BigRPCClientTransport(host: "127.0.0.1", port: port)
        let client = Bigrpc_Testing_V1_TestService.Client(
            wrapping: RPCClient(transport: transport, interceptors: [ClientMetricsInterceptor(factory: clientMetrics)]))

        // Server streaming: one request, three responses.
        let request = Bigrpc_Testing_V1_StreamingOutputCallRequest(responseParameters: [.init(size: 1), .init(size: 2), .init(size: 3)])
        let streamed = try await client.streamingOutputCall(request) { responses in
            var count = 0
            for try await _ in responses { count += 1 }
            return count
        }
        #expect(streamed == 3)

        // Client streaming: four requests, one response.
        let aggregated = try await client.streamingInputCall { requests in
            for _ in 0..<4 { try await requests.write(Bigrpc_Testing_V1_StreamingInputCallRequest(payload: [1, 2])) }
        }
        #expect(aggregated.aggregatedPayloadSize == 8)

        // Bidirectional: two requests asking for two responses each.
        let echoed = try await client.fullDuplexCall { requests, responses in
            let twoResponses = Bigrpc_Testing_V1_StreamingOutputCallRequest(responseParameters: [.init(size: 1), .init(size: 1)])
            try await requests.write(twoResponses)
            try await requests.write(twoResponses, isLast: true)
            var count = 0
            for try await _ in responses { count += 1 }
            return count
        }
        #expect(echoed == 4)

        // Bidirectional, failed by the server after one response: what passed is counted.
        let failed = await #expect(throws: RPCError.self) {
            try await client.fullDuplexCall { requests, responses in
                try await requests.write(Bigrpc_Testing_V1_StreamingOutputCallRequest(responseParameters: [.init(size: 1)]))
                let status = Bigrpc_Testing_V1_EchoStatus(code: StatusCode.aborted.rawValue, message: "stop")
                try await requests.write(Bigrpc_Testing_V1_StreamingOutputCallRequest(responseStatus: status), isLast: true)
                for try await _ in responses {}
            }
        }
        #expect(failed?.code == .aborted)
        await transport.close()

        // (method, messages the client sent = the server received, messages the server sent = the client received)
        let expected = [("StreamingOutputCall", 1, 3), ("StreamingInputCall", 4, 1), ("FullDuplexCall", 4, 5)]
        for (method, requests, responses) in expected {
            let labels = [("service", Self.service), ("method", method)]
            #expect(try serverMetrics.expectCounter("rpc_server_msg_received_total", labels).totalValue == Int64(requests), "\(method)")
            #expect(try serverMetrics.expectCounter("rpc_server_msg_sent_total", labels).totalValue == Int64(responses), "\(method)")
            #expect(try clientMetrics.expectCounter("rpc_client_msg_sent_total", labels).totalValue == Int64(requests), "\(method)")
            #expect(try clientMetrics.expectCounter("rpc_client_msg_received_total", labels).totalValue == Int64(responses), "\(method)")
        }
        let duplexFailed = [("service", Self.service), ("method", "FullDuplexCall"), ("code", "ABORTED")]
        #expect(try serverMetrics.expectCounter("rpc_server_handled_total", duplexFailed).totalValue == 1)
        #expect(try clientMetrics.expectCounter("rpc_client_handled_total", duplexFailed).totalValue == 1)

        server.beginGracefulShutdown()
        try await running.value
    }

    @Test func aUnaryCallIsNotObserved() async throws {
        // A unary call counts its two messages without wrapping its streams:
        // the counts stay one each, not two.
        let metrics = TestMetrics()
        let server = RPCServer(services: [TestServiceProvider()], interceptors: [ServerMetricsInterceptor(factory: metrics)])
        let client = Bigrpc_Testing_V1_TestService.Client(
            wrapping: RPCClient(transport: InProcessTransport(server: server), interceptors: [ClientMetricsInterceptor(factory: metrics)]))
        _ = try await client.unaryCall(.init())
        let labels = [("service", Self.service), ("method", "UnaryCall")]
        for name in ["rpc_server_msg_received_total", "rpc_server_msg_sent_total", "rpc_client_msg_sent_total", "rpc_client_msg_received_total"] {
            #expect(try metrics.expectCounter(name, labels).totalValue == 1, "\(name)")
        }
    }
}
