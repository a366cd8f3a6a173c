import BigRPC
import BigRPCTestingProtos
import Synchronization
import Testing

@testable import BigRPCNIO

/// ``DNSResolvingTransport``: calls follow a name's addresses as they change.
@Suite(.timeLimit(.minutes(1)))
struct DNSResolvingTransportTests {
    typealias Request = Bigrpc_Testing_V1_SimpleRequest
    typealias Response = Bigrpc_Testing_V1_SimpleResponse

    @Test func callsMoveToTheAddressesTheNameResolvesToNow() async throws {
        let counters = [LoadBalancingTests.CallCounter(), LoadBalancingTests.CallCounter()]
        let first = try await TestServer(services: [ProbeService()], interceptors: [counters[0]])
        // The same port on another loopback address: the name's second replica.
        let second = try await TestServer(services: [ProbeService()], interceptors: [counters[1]]) {
            $0.host = "127.0.0.2"
            $0.port = first.port
        }
        let answer = Mutex(["127.0.0.1"])
        let transport = DNSResolvingTransport(name: "shop.internal", port: first.port, retiredGrace: .zero) { name in
            #expect(name == "shop.internal")
            return answer.withLock { $0 }
        }
        let client = RPCClient(transport: transport)
        func call() async throws {
            _ = try await client.unary(request: Request(payload: [1]), method: ProbeService.echo, responseType: Response.self).message
        }

        for _ in 0..<5 { try await call() }
        #expect(transport.addresses == ["127.0.0.1"])
        #expect(counters.map(\.value) == [5, 0])

        answer.withLock { $0 = ["127.0.0.2"] }
        try await transport.refresh()
        for _ in 0..<5 { try await call() }
        #expect(transport.addresses == ["127.0.0.2"])
        #expect(counters.map(\.value) == [5, 5])

        answer.withLock { $0 = ["127.0.0.2", "127.0.0.1"] }
        try await transport.refresh()
        #expect(transport.addresses == ["127.0.0.1", "127.0.0.2"])
        for _ in 0..<20 { try await call() }
        #expect(counters[0].value > 5 && counters[1].value > 5, "\(counters.map(\.value))")

        // A lookup that finds nothing keeps the last addresses.
        answer.withLock { $0 = [] }
        await #expect(throws: RPCError.self) { try await transport.refresh() }
        #expect(transport.addresses == ["127.0.0.1", "127.0.0.2"])

        await transport.close()
        try await first.stop()
        try await second.stop()
    }

    @Test func theSystemResolverFindsLocalhost() async throws {
        let addresses = try await DNSResolvingTransport.systemResolver("localhost")
        #expect(addresses.contains("127.0.0.1") || addresses.contains("::1"), "\(addresses)")
    }
}
