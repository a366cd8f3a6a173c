import BigRPC
import BigRPCTestingProtos
import Testing

/// `MethodDescriptor` names a method by `/<service>/<method>` (the path in
/// `RequestHeaders.method`); `RPCKind` says how many messages each side sends.
@Suite struct MethodDescriptorTests {
    @Test func pathIsSlashServiceSlashMethod() {
        let method = MethodDescriptor(service: "bigshop.orders.v1.OrderService", method: "Checkout", kind: .unary)
        #expect(method.service == "bigshop.orders.v1.OrderService")
        #expect(method.method == "Checkout")
        #expect(method.kind == .unary)
        #expect(method.path == "/bigshop.orders.v1.OrderService/Checkout")
        #expect(method.description == method.path)
    }

    @Test func generatedDescriptorsUseTheProtoNames() {
        typealias Method = Bigrpc_Testing_V1_TestService.Method
        #expect(Method.unaryCall.path == "/bigrpc.testing.v1.TestService/UnaryCall")
        #expect(Method.unaryCall.kind == .unary)
        #expect(Method.streamingOutputCall.kind == .serverStreaming)
        #expect(Method.streamingInputCall.kind == .clientStreaming)
        #expect(Method.fullDuplexCall.kind == .bidirectionalStreaming)
    }

    @Test func kindsSayWhichSideSendsOneMessage() {
        #expect(RPCKind.unary.hasSingleRequest && RPCKind.unary.hasSingleResponse)
        #expect(RPCKind.serverStreaming.hasSingleRequest && !RPCKind.serverStreaming.hasSingleResponse)
        #expect(!RPCKind.clientStreaming.hasSingleRequest && RPCKind.clientStreaming.hasSingleResponse)
        #expect(!RPCKind.bidirectionalStreaming.hasSingleRequest && !RPCKind.bidirectionalStreaming.hasSingleResponse)
    }

    @Test func equalityComparesServiceMethodAndKind() {
        let a = MethodDescriptor(service: "s", method: "M", kind: .unary)
        #expect(a == MethodDescriptor(service: "s", method: "M", kind: .unary))
        #expect(a != MethodDescriptor(service: "s", method: "M", kind: .serverStreaming))
        #expect(a != MethodDescriptor(service: "s", method: "m", kind: .unary))
        #expect(a != MethodDescriptor(service: "t", method: "M", kind: .unary))
    }
}
