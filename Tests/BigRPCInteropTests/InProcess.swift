import BigRPC
import BigRPCInterop
import BigRPCTestingProtos

/// Clients of services served in this process, through `InProcessTransport`.
enum InProcess {
    /// An ``RPCClient`` of a server of `services`.
    static func client(
        serving services: [any RegistrableRPCService] = [TestServiceProvider()]
    ) -> RPCClient {
        RPCClient(transport: InProcessTransport(server: RPCServer(services: services)))
    }

    /// A typed client of the conformance service of `provider`.
    static func testService(_ provider: TestServiceProvider = TestServiceProvider()) -> Bigrpc_Testing_V1_TestService.Client {
        Bigrpc_Testing_V1_TestService.Client(wrapping: client(serving: [provider]))
    }
}
