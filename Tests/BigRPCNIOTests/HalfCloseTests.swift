import BigRPC
import BigRPCCodec
import BigRPCTestingProtos
import NIOCore
import Synchronization
import Testing

@testable import BigRPCNIO

/// HALF_CLOSE (wire revision 1.1): a streaming client sends each request as
/// it is written and half-closes after it; a client set up for a revision
/// 1.0 server holds the last request back instead.
@Suite(.timeLimit(.minutes(1)))
struct HalfCloseTests {
    typealias Chunk = Bigrpc_Testing_V1_StreamingInputCallRequest
    typealias Total = Bigrpc_Testing_V1_StreamingInputCallResponse

    /// Collect: reports the size of each request as it arrives.
    final class Recorder: RegistrableRPCService {
        static let collect = MethodDescriptor(service: "bigrpc.test.HalfClose", method: "Collect", kind: .clientStreaming)
        let received = Mutex<[Int]>([])
        let (arrivals, arrival) = AsyncStream.makeStream(of: Int.self)

        func registerMethods(with router: inout RPCRouter) {
            router.registerClientStreaming(Self.collect) { (requests: RPCAsyncSequence<Chunk>, _) -> Total in
                var total = 0
                for try await request in requests {
                    self.received.withLock { $0.append(request.payload.count) }
                    self.arrival.yield(request.payload.count)
                    total += request.payload.count
                }
                return Total(aggregatedPayloadSize: Int32(total))
            }
        }
    }

    private func client(_ server: TestServer, halfClose: Bool) -> RPCClient {
        var configuration = BigRPCClientTransport.Configuration()
        configuration.halfClose = halfClose
        return RPCClient(transport: BigRPCClientTransport(host: "127.0.0.1", port: server.port, configuration: configuration))
    }

    @Test func theLastClientStreamingRequestLeavesAsItIsWritten() async throws {
        let recorder = Recorder()
        try await withTestServer(services: [recorder]) { server in
            let response = try await client(server, halfClose: true).clientStreaming(
                method: Recorder.collect, requestType: Chunk.self, responseType: Total.self
            ) { writer in
                try await writer.write(Chunk(payload: [1, 2, 3]))
                // Before the writer returns, the server has the request.
                var arrivals = recorder.arrivals.makeAsyncIterator()
                #expect(await arrivals.next() == 3)
            }
            #expect(try response.message.aggregatedPayloadSize == 3)
        }
    }

    @Test func aRevision10ClientHoldsTheLastRequestBack() async throws {
        let recorder = Recorder()
        try await withTestServer(services: [recorder]) { server in
            let response = try await client(server, halfClose: false).clientStreaming(
                method: Recorder.collect, requestType: Chunk.self, responseType: Total.self
            ) { writer in
                try await writer.write(Chunk(payload: [1, 2]))
                try await writer.write(Chunk(payload: [1, 2, 3]))
                var arrivals = recorder.arrivals.makeAsyncIterator()
                #expect(await arrivals.next() == 2)
                try await Task.sleep(for: .milliseconds(100))
                #expect(recorder.received.withLock { $0 } == [2], "the last request waits for the half-close")
            }
            #expect(try response.message.aggregatedPayloadSize == 5)
        }
    }

    @Test func bidirectionalFinishAfterRequestsHalfCloses() async throws {
        try await withTestServer(services: [ProbeService()]) { server in
            let echoed: [Int] = try await client(server, halfClose: true).bidirectionalStreaming(
                method: ProbeService.chat, requestType: Chunk.self, responseType: Chunk.self
            ) { writer, responses in
                var sizes: [Int] = []
                var iterator = responses.makeAsyncIterator()
                try await writer.write(Chunk(payload: [0]))
                sizes.append(try await iterator.next()?.payload.count ?? -1)
                try await writer.finish()
                #expect(try await iterator.next() == nil, "the server ends the call after the half-close")
                #expect(responses.trailers?[Metadata.requestIDKey] != nil)
                return sizes
            }
            #expect(echoed == [1])
        }
    }

    @Test func aRevision10ClientCannotFinishAfterARequest() async throws {
        try await withTestServer(services: [ProbeService()]) { server in
            let error = await #expect(throws: RPCError.self) {
                try await client(server, halfClose: false).bidirectionalStreaming(
                    method: ProbeService.chat, requestType: Chunk.self, responseType: Chunk.self
                ) { writer, _ in
                    try await writer.write(Chunk(payload: [1]))
                    try await writer.finish()
                }
            }
            #expect(error?.code == .failedPrecondition)
        }
    }

    @Test func theServerEndsTheRequestsOnHalfCloseAndRefusesASecond() async throws {
        try await withTestServer(services: [ProbeService()]) { server in
            let connection = try await RawConnection(port: server.port)
            try await connection.open(1, ProbeService.collect.path)
            try await connection.sendMessage(1, Chunk(payload: [1, 2]), endStream: false)
            try await connection.send(Frame(type: .halfClose, flags: .endStream, streamID: 1))
            let (status, _, messages) = try await connection.status(of: 1)
            #expect(status.code == .ok)
            #expect(messages == 1)
            // Already half-closed by END_STREAM: a stream error, the connection goes on.
            try await connection.open(3, ProbeService.chat.path, endStream: true)
            try await connection.send(Frame(type: .halfClose, flags: .endStream, streamID: 3))
            #expect(try await connection.status(of: 3).0 == Status(code: .internal, message: "HALF_CLOSE after END_STREAM"))
            try await connection.open(5, ProbeService.collect.path, endStream: true)
            #expect(try await connection.status(of: 5).0.code == .ok)
            await connection.close()
        }
    }
}
