import BigRPC
import BigRPCTestingProtos
import Synchronization
import Testing

/// Client streams over the in-process transport once the call has ended:
/// writes must neither block nor pretend the call is still alive.
@Suite(.timeLimit(.minutes(1)))
struct InProcessTransportTests {
    typealias Chunk = Bigrpc_Testing_V1_StreamingInputCallRequest
    typealias Total = Bigrpc_Testing_V1_StreamingInputCallResponse

    static let refuse = MethodDescriptor(service: "bigrpc.test.InProcess", method: "Refuse", kind: .clientStreaming)
    static let collect = MethodDescriptor(service: "bigrpc.test.InProcess", method: "Collect", kind: .clientStreaming)

    /// Refuse fails at once without reading a request; Collect counts them.
    struct Service: RegistrableRPCService {
        func registerMethods(with router: inout RPCRouter) {
            router.registerClientStreaming(InProcessTransportTests.refuse) { (_: RPCAsyncSequence<Chunk>, _) -> Total in
                throw RPCError(.invalidArgument, "refused")
            }
            router.registerClientStreaming(InProcessTransportTests.collect) { (requests: RPCAsyncSequence<Chunk>, _) -> Total in
                var total = 0
                for try await request in requests { total += request.payload.count }
                return Total(aggregatedPayloadSize: Int32(total))
            }
        }
    }

    let client = RPCClient(transport: InProcessTransport(server: RPCServer(services: [Service()])))

    /// Far more requests than the request queue holds, after the server
    /// already answered: they are dropped, and the call returns its status.
    @Test func writesAfterTheServerAnsweredDoNotBlock() async throws {
        let response = try await client.clientStreaming(method: Self.refuse, requestType: Chunk.self, responseType: Total.self) { writer in
            for _ in 0..<1_000 { try await writer.write(Chunk(payload: [1])) }
        }
        let error = try #require(throws: RPCError.self) { try response.message }
        #expect(error.code == .invalidArgument && error.message == "refused")
    }

    @Test func aWriteAfterTheDeadlineThrowsDeadlineExceeded() async throws {
        let writes = Mutex(0)
        await #expect {
            _ = try await client.clientStreaming(
                method: Self.collect, requestType: Chunk.self, responseType: Total.self,
                options: CallOptions(timeout: .milliseconds(100))
            ) { writer in
                // Bounded: 500 writes 20 ms apart outlast the deadline many times over.
                for _ in 0..<500 {
                    try await writer.write(Chunk(payload: [1]))
                    writes.withLock { $0 += 1 }
                    try await Task.sleep(for: .milliseconds(20))
                }
            }.message
        } throws: { ($0 as? RPCError)?.code == .deadlineExceeded }
        #expect(writes.withLock { $0 } < 500)
    }

    @Test func aCallWithinItsDeadlineIsUntouched() async throws {
        let response = try await client.clientStreaming(
            method: Self.collect, requestType: Chunk.self, responseType: Total.self,
            options: CallOptions(timeout: .seconds(60))
        ) { writer in
            for size in [2, 3] { try await writer.write(Chunk(payload: [UInt8](repeating: 0, count: size))) }
        }
        #expect(try response.message.aggregatedPayloadSize == 5)
    }
}
