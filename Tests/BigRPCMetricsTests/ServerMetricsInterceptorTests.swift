import BigRPC
import BigRPCInterop
import BigRPCMetrics
import BigRPCTestingProtos
import MetricsTestKit
import Testing

/// The server interceptor's counters and histogram, through the in-process
/// transport: one call of each outcome.
@Suite(.timeLimit(.minutes(1))) struct ServerMetricsInterceptorTests {
    static let service = "bigrpc.testing.v1.TestService"

    @Test func countsCallsByMethodAndCode() async throws {
        let metrics = TestMetrics()
        let server = RPCServer(services: [TestServiceProvider()], interceptors: [ServerMetricsInterceptor(factory: metrics)])
        let client = Bigrpc_Testing_V1_TestService.Client(wrapping: RPCClient(transport: InProcessTransport(server: server)))

        _ = try await client.unaryCall(.init())
        _ = try await client.unaryCall(.init())
        let failed = await #expect(throws: RPCError.self) {
            _ = try await client.unaryCall(.init(responseStatus: .init(code: StatusCode.notFound.rawValue, message: "no")))
        }
        #expect(failed?.code == .notFound)

        let unary = [("service", Self.service), ("method", "UnaryCall")]
        #expect(try metrics.expectCounter("rpc_server_started_total", unary + [("type", "unary")]).totalValue == 3)
        #expect(try metrics.expectCounter("rpc_server_handled_total", unary + [("code", "OK")]).totalValue == 2)
        #expect(try metrics.expectCounter("rpc_server_handled_total", unary + [("code", "NOT_FOUND")]).totalValue == 1)
        #expect(try metrics.expectCounter("rpc_server_msg_received_total", unary).totalValue == 3)
        #expect(try metrics.expectCounter("rpc_server_msg_sent_total", unary).totalValue == 2)
        let latency = try metrics.expectTimer("rpc_server_handling_seconds", unary)
        #expect(latency.values.count == 3)
        #expect(latency.values.allSatisfy { $0 >= 0 })
        // Nothing recorded for a method not called.
        #expect(metrics.counters(label: "rpc_server_started_total").count == 1)
    }

    @Test func aRefusalByALaterInterceptorIsCounted() async throws {
        struct Refuse: ServerInterceptor {
            func intercept(context: ServerContext, next: @Sendable (ServerContext) async throws -> Void) async throws {
                throw RPCError(.resourceExhausted, "slow down")
            }
        }
        let metrics = TestMetrics()
        let server = RPCServer(services: [TestServiceProvider()], interceptors: [ServerMetricsInterceptor(factory: metrics), Refuse()])
        let client = Bigrpc_Testing_V1_TestService.Client(wrapping: RPCClient(transport: InProcessTransport(server: server)))
        await #expect(throws: RPCError.self) { _ = try await client.emptyCall(.init()) }
        let labels = [("service", Self.service), ("method", "EmptyCall"), ("code", "RESOURCE_EXHAUSTED")]
        #expect(try metrics.expectCounter("rpc_server_handled_total", labels).totalValue == 1)
    }

    @Test func aStreamingCallCountsItsSingleRequest() async throws {
        let metrics = TestMetrics()
        let server = RPCServer(services: [TestServiceProvider()], interceptors: [ServerMetricsInterceptor(factory: metrics)])
        let client = Bigrpc_Testing_V1_TestService.Client(wrapping: RPCClient(transport: InProcessTransport(server: server)))
        let request = Bigrpc_Testing_V1_StreamingOutputCallRequest(responseParameters: [.init(size: 1), .init(size: 2)])
        let received = try await client.streamingOutputCall(request) { responses in
            var count = 0
            for try await _ in responses { count += 1 }
            return count
        }
        #expect(received == 2)
        let labels = [("service", Self.service), ("method", "StreamingOutputCall")]
        #expect(try metrics.expectCounter("rpc_server_started_total", labels + [("type", "server_stream")]).totalValue == 1)
        #expect(try metrics.expectCounter("rpc_server_handled_total", labels + [("code", "OK")]).totalValue == 1)
        #expect(try metrics.expectCounter("rpc_server_msg_received_total", labels).totalValue == 1)
    }
}
