import BigRPC
import BigRPCInterop
import BigRPCNIO
import Testing

/// Every conformance case against a real server on loopback, through the TCP
/// transport, on one connection: with handlers on Swift's global executor
/// (the default) and on the connection's event loop.
@Suite struct TCPInteropTests {
    @Test(arguments: InteropCase.allCases, [false, true])
    func passesOverTCP(_ testCase: InteropCase, handlersOnEventLoops: Bool) async throws {
        var configuration = BigRPCServer.Configuration()
        configuration.runsHandlersOnEventLoops = handlersOnEventLoops
        let server = BigRPCServer(configuration: configuration)
        let rpcServer = RPCServer(services: [TestServiceProvider()], interceptors: [EchoMetadataInterceptor()])
        let running = Task { try await server.listen(rpcServer) }
        let port = try await server.listeningAddress().port!
        let transport = BigRPCClientTransport(host: "127.0.0.1", port: port)
        let results = await InteropClient.runAll([testCase], on: RPCClient(transport: transport))
        await transport.close()
        server.beginGracefulShutdown()
        try await running.value
        #expect(results.count == 1)
        #expect(results.first?.passed == true, "\(results.first?.failureMessage ?? "")")
    }
}
