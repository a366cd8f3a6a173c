import BigRPC
import BigRPCInterop
import BigRPCNIO
import Testing

/// Every conformance case against a real server on loopback, through the TCP
/// transport, on one connection.
@Suite struct TCPInteropTests {
    @Test(arguments: InteropCase.allCases)
    func passesOverTCP(_ testCase: InteropCase) async throws {
        let server = BigRPCServer(services: [TestServiceProvider()], interceptors: [EchoMetadataInterceptor()])
        let running = Task { try await server.run() }
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
