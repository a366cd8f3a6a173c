import BigRPC
import BigRPCProtos
import BigRPCStandardServices
import BigRPCTestingProtos
import Synchronization
import Testing

@testable import BigRPCNIO

/// ``ForwardingService`` as a proxy between two real servers on loopback:
/// every call shape passes through undecoded, with its status, trailers and
/// deadline; and ``HealthChecker`` steering a balancer away from a replica
/// that reports NOT_SERVING.
@Suite(.timeLimit(.minutes(1)))
struct ForwardingTests {
    typealias Request = Bigrpc_Testing_V1_SimpleRequest
    typealias Response = Bigrpc_Testing_V1_SimpleResponse
    typealias StreamRequest = Bigrpc_Testing_V1_StreamingInputCallRequest

    /// Records the metadata each upstream call arrived with.
    final class MetadataRecorder: ServerInterceptor {
        let seen = Mutex<[Metadata]>([])

        func intercept(context: ServerContext, next: @Sendable (ServerContext) async throws -> Void) async throws {
            seen.withLock { $0.append(context.metadata) }
            context.addTrailer("upstream", "yes")
            try await next(context)
        }
    }

    /// A backend serving ``ProbeService``, and a proxy forwarding every
    /// Probe method to it, adding `x-forwarded: 1` and dropping `secret`.
    func withProxy(_ body: (RPCClient, ProbeService, MetadataRecorder) async throws -> Void) async throws {
        let probe = ProbeService()
        let recorder = MetadataRecorder()
        let backend = try await TestServer(services: [probe], interceptors: [recorder])
        let upstream = backend.transport()
        let forwarding = ForwardingService(
            methods: [ProbeService.sleep, ProbeService.echo, ProbeService.stream, ProbeService.collect, ProbeService.chat, ProbeService.fail],
            transport: upstream
        ) { context in
            var metadata = context.metadata
            metadata["secret"] = nil
            metadata["x-forwarded"] = "1"
            return metadata
        }
        let proxy = try await TestServer(services: [forwarding])
        let proxyTransport = proxy.transport()
        do {
            try await body(RPCClient(transport: proxyTransport), probe, recorder)
        } catch {
            await proxyTransport.close()
            await upstream.close()
            try await proxy.stop()
            try await backend.stop()
            throw error
        }
        await proxyTransport.close()
        await upstream.close()
        try await proxy.stop()
        try await backend.stop()
    }

    @Test func aUnaryCallPassesThroughWithItsMetadataRewritten() async throws {
        try await withProxy { client, _, recorder in
            let response = try await client.unary(
                request: Request(payload: [1, 2, 3]), method: ProbeService.echo, responseType: Response.self,
                metadata: ["secret": "s3cr3t", "keep": "me"])
            #expect(try response.message.payload == [1, 2, 3])
            #expect(response.trailers["upstream"] == "yes")
            let upstream = try #require(recorder.seen.withLock { $0.first })
            #expect(upstream["secret"] == nil)
            #expect(upstream["keep"] == "me")
            #expect(upstream["x-forwarded"] == "1")
        }
    }

    @Test func streamsPassThroughInBothDirections() async throws {
        try await withProxy { client, _, _ in
            let count = try await client.serverStreaming(request: Request(responseSize: 20), method: ProbeService.stream, responseType: Response.self) {
                responses in
                var count = 0
                for try await response in responses {
                    #expect(response.payload.count == 64 * 1024)
                    count += 1
                }
                return count
            }
            #expect(count == 20)

            let collected = try await client.clientStreaming(
                method: ProbeService.collect, requestType: StreamRequest.self, responseType: Bigrpc_Testing_V1_StreamingInputCallResponse.self
            ) { writer in
                for size in [10, 20, 30] { try await writer.write(StreamRequest(payload: [UInt8](repeating: 1, count: size))) }
            }
            #expect(try collected.message.aggregatedPayloadSize == 60)

            let echoed = try await client.bidirectionalStreaming(method: ProbeService.chat, requestType: StreamRequest.self, responseType: StreamRequest.self) {
                writer, responses in
                var echoed: [[UInt8]] = []
                var iterator = responses.makeAsyncIterator()
                for index in 0..<5 {
                    try await writer.write(StreamRequest(payload: [UInt8(index)]))
                    echoed.append(try #require(try await iterator.next()).payload)
                }
                try await writer.finish()
                #expect(try await iterator.next() == nil)
                return echoed
            }
            #expect(echoed == (0..<5).map { [UInt8($0)] })
        }
    }

    @Test func anUpstreamFailureKeepsItsCodeAndMessage() async throws {
        try await withProxy { client, _, _ in
            let response = try await client.unary(request: Bigrpc_Testing_V1_Empty(), method: ProbeService.fail, responseType: Bigrpc_Testing_V1_Empty.self)
            #expect { try response.message } throws: { ($0 as? RPCError)?.status == Status(code: .internal, message: "internal error") }
            #expect(response.trailers["upstream"] == "yes")
        }
    }

    @Test func theRemainingDeadlineIsForwarded() async throws {
        try await withProxy { client, probe, _ in
            await #expect {
                _ = try await client.unary(
                    request: Request(responseSize: 60_000, payload: Array("slow".utf8)), method: ProbeService.sleep, responseType: Response.self,
                    options: CallOptions(timeout: .seconds(2))
                ).message
            } throws: { ($0 as? RPCError)?.code == .deadlineExceeded }
            // The upstream handler was cancelled by its deadline, not left
            // running its 60 s. (On a loaded machine the deadline can pass
            // before the forwarded call reaches it: then it never starts.)
            if await probe.waitFor(.started("slow"), timeout: .seconds(5)) {
                #expect(await probe.waitFor(.cancelled("slow"), timeout: .seconds(30)), "\(probe.recorded)")
            }
            #expect(!probe.recorded.contains(.finished("slow")))
        }
    }

    @Test func aHealthCheckerSteersCallsAwayFromAReplicaNotServing() async throws {
        let standards = [StandardServices(serving: [ProbeService()]), StandardServices(serving: [ProbeService()])]
        let servers = [try await TestServer(services: standards[0].all), try await TestServer(services: standards[1].all)]
        let transports = servers.map { $0.transport() }
        let balancer = LoadBalancingTransport(endpoints: transports)
        // A generous timeout: the whole suite shares two cores.
        let checker = HealthChecker(balancer: balancer, service: ProbeService.echo.service, timeout: .seconds(20))
        await checker.checkOnce()
        #expect(balancer.serving == [true, true])

        standards[0].health.setServing(false, service: ProbeService.echo.service)
        await checker.checkOnce()
        #expect(balancer.serving == [false, true])
        // The server as a whole still serves; only that service does not.
        let health = Bigrpc_Health_V1_Health.Client(wrapping: RPCClient(transport: transports[0]))
        #expect(try await health.check(.init(service: "")).status == .serving)

        standards[1].health.setServing(false)
        await checker.checkOnce()
        #expect(balancer.serving == [false, false])
        standards[0].health.setServing(true, service: ProbeService.echo.service)
        await checker.checkOnce()
        #expect(balancer.serving == [true, false])

        for transport in transports { await transport.close() }
        for server in servers { try await server.stop() }
    }
}
