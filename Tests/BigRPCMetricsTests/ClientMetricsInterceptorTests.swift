import BigRPC
import BigRPCInterop
import BigRPCMetrics
import BigRPCTestingProtos
import MetricsTestKit
import Testing

/// The client interceptor: a unary call's failure is returned, not thrown,
/// and is still counted under its code.
@Suite(.timeLimit(.minutes(1))) struct ClientMetricsInterceptorTests {
    @Test func countsCallsByMethodAndCode() async throws {
        let metrics = TestMetrics()
        let server = RPCServer(services: [TestServiceProvider()])
        let client = Bigrpc_Testing_V1_TestService.Client(
            wrapping: RPCClient(transport: InProcessTransport(server: server), interceptors: [ClientMetricsInterceptor(factory: metrics)]))

        _ = try await client.unaryCall(.init())
        await #expect(throws: RPCError.self) {
            _ = try await client.unaryCall(.init(responseStatus: .init(code: StatusCode.permissionDenied.rawValue, message: "no")))
        }

        let unary = [("service", "bigrpc.testing.v1.TestService"), ("method", "UnaryCall")]
        #expect(try metrics.expectCounter("rpc_client_started_total", unary + [("type", "unary")]).totalValue == 2)
        #expect(try metrics.expectCounter("rpc_client_handled_total", unary + [("code", "OK")]).totalValue == 1)
        #expect(try metrics.expectCounter("rpc_client_handled_total", unary + [("code", "PERMISSION_DENIED")]).totalValue == 1)
        #expect(try metrics.expectCounter("rpc_client_msg_sent_total", unary).totalValue == 2)
        #expect(try metrics.expectCounter("rpc_client_msg_received_total", unary).totalValue == 1)
        #expect(try metrics.expectTimer("rpc_client_handling_seconds", unary).values.count == 2)
    }
}
