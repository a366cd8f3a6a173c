import BigRPC
import BigRPCNIO
import BigRPCTestingProtos
import NIOPosix
import Testing

/// `runsHandlersOnEventLoops`: where a call's handler runs.
@Suite struct HandlerExecutorTests {
    /// Answers whether its handler ran on an event loop thread.
    struct WhereService: RegistrableRPCService {
        static let whereAmI = MethodDescriptor(service: "bigrpc.test.Where", method: "WhereAmI", kind: .unary)

        func registerMethods(with router: inout RPCRouter) {
            router.registerUnary(Self.whereAmI) { (_: Bigrpc_Testing_V1_Empty, _) -> Bigrpc_Testing_V1_EchoStatus in
                // Before and after a suspension: the preference holds for the whole task.
                let before = MultiThreadedEventLoopGroup.currentEventLoop != nil
                try await Task.sleep(for: .milliseconds(1))
                let after = MultiThreadedEventLoopGroup.currentEventLoop != nil
                return Bigrpc_Testing_V1_EchoStatus(code: (before ? 1 : 0) + (after ? 2 : 0))
            }
        }
    }

    @Test(arguments: [false, true])
    func handlersRunWhereConfigured(onEventLoops: Bool) async throws {
        try await withTestServer(services: [WhereService()], configure: { $0.runsHandlersOnEventLoops = onEventLoops }) { server in
            let transport = server.transport()
            defer { Task { await transport.close() } }
            let answer = try await RPCClient(transport: transport).unary(
                request: Bigrpc_Testing_V1_Empty(),
                method: WhereService.whereAmI,
                responseType: Bigrpc_Testing_V1_EchoStatus.self
            )
            let code = try answer.message.code
            #expect(code == (onEventLoops ? 3 : 0))
        }
    }
}
