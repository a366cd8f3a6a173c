import BigRPC
import BigRPCTestingProtos
import Synchronization
import Testing

@testable import BigRPCNIO

/// ``LoadBalancingTransport`` over real servers on loopback: calls spread
/// over the replicas, and an unreachable replica costs its callers nothing.
@Suite(.timeLimit(.minutes(1)))
struct LoadBalancingTests {
    typealias Request = Bigrpc_Testing_V1_SimpleRequest
    typealias Response = Bigrpc_Testing_V1_SimpleResponse

    /// Counts the calls a server handled.
    final class CallCounter: ServerInterceptor {
        private let count = Mutex(0)

        var value: Int { count.withLock { $0 } }

        func intercept(context: ServerContext, next: @Sendable (ServerContext) async throws -> Void) async throws {
            count.withLock { $0 += 1 }
            try await next(context)
        }
    }

    @Test func callsSpreadOverTheReplicas() async throws {
        let counters = [CallCounter(), CallCounter()]
        let first = try await TestServer(services: [ProbeService()], interceptors: [counters[0]])
        let second = try await TestServer(services: [ProbeService()], interceptors: [counters[1]])
        let transports = [first.transport(), second.transport()]
        let client = RPCClient(transport: LoadBalancingTransport(endpoints: transports))
        // Calls that last a little, 8 at a time: the less loaded replica
        // takes each, so both take a fair share.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<200 {
                if index >= 8 { try await group.next() }
                group.addTask {
                    _ = try await client.unary(request: Request(responseSize: 5), method: ProbeService.sleep, responseType: Response.self).message
                }
            }
            try await group.waitForAll()
        }
        #expect(counters[0].value + counters[1].value == 200)
        #expect(counters[0].value >= 50 && counters[1].value >= 50, "\(counters.map(\.value))")
        for transport in transports { await transport.close() }
        try await first.stop()
        try await second.stop()
    }

    @Test func anUnreachableReplicaIsSkippedWithoutAFailedCall() async throws {
        try await withTestServer(services: [ProbeService()]) { live in
            // Nothing listens on the dead replica's port: every connect is refused.
            let dead = BigRPCClientTransport(host: "127.0.0.1", port: try SilentPort.free())
            let balancer = LoadBalancingTransport(endpoints: [dead, live.transport()])
            let client = RPCClient(transport: balancer)
            for index in 0..<50 {
                let payload = [UInt8(index)]
                let response = try await client.unary(request: Request(payload: payload), method: ProbeService.echo, responseType: Response.self)
                #expect(try response.message.payload == payload)
            }
            #expect(balancer.callsInFlight == [0, 0])
        }
    }

    @Test func whenNoReplicaCanBeReachedTheCallIsUnavailable() async throws {
        let balancer = LoadBalancingTransport(endpoints: [
            BigRPCClientTransport(host: "127.0.0.1", port: try SilentPort.free()),
            BigRPCClientTransport(host: "127.0.0.1", port: try SilentPort.free()),
        ])
        let client = RPCClient(transport: balancer)
        await #expect {
            _ = try await client.unary(request: Request(payload: [1]), method: ProbeService.echo, responseType: Response.self).message
        } throws: { ($0 as? RPCError)?.code == .unavailable }
        #expect(balancer.callsInFlight == [0, 0])
    }

    @Test func aCallThatCouldNotConnectSaysItWasNotProcessed() async throws {
        let client = RPCClient(transport: BigRPCClientTransport(host: "127.0.0.1", port: try SilentPort.free()))
        await #expect {
            _ = try await client.unary(request: Request(payload: [1]), method: ProbeService.echo, responseType: Response.self).message
        } throws: { ($0 as? RPCError)?.callWasNotProcessed == true }
    }

    @Test func anUnavailableAnswerFromAServerIsNotRetriedOnAnotherReplica() async throws {
        // Both replicas answer UNAVAILABLE themselves (as a service that is
        // shutting down does): the call reached a server, so retrying it is
        // the caller's decision, not the balancer's.
        let refusals = [Refusing(), Refusing()]
        let first = try await TestServer(services: [ProbeService()], interceptors: [refusals[0]])
        let second = try await TestServer(services: [ProbeService()], interceptors: [refusals[1]])
        let transports = [first.transport(), second.transport()]
        let client = RPCClient(transport: LoadBalancingTransport(endpoints: transports))
        await #expect {
            _ = try await client.unary(request: Request(payload: [1]), method: ProbeService.echo, responseType: Response.self).message
        } throws: { ($0 as? RPCError)?.code == .unavailable }
        #expect(refusals[0].value + refusals[1].value == 1)
        for transport in transports { await transport.close() }
        try await first.stop()
        try await second.stop()
    }

    /// Answers every call UNAVAILABLE, counting them.
    final class Refusing: ServerInterceptor {
        private let count = Mutex(0)

        var value: Int { count.withLock { $0 } }

        func intercept(context: ServerContext, next: @Sendable (ServerContext) async throws -> Void) async throws {
            count.withLock { $0 += 1 }
            throw RPCError(.unavailable, "shutting down")
        }
    }
}

/// A loopback port nothing listens on right now.
enum SilentPort {
    static func free() throws -> Int {
        let listener = try SilentListener()
        defer { listener.close() }
        return listener.port
    }
}
