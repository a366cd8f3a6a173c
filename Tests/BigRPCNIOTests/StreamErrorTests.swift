import BigRPC
import BigRPCCodec
import BigRPCProtos
import BigRPCTestingProtos
import NIOCore
import Testing

@testable import BigRPCNIO

/// Stream errors: TRAILERS on the stream, while the connection and its
/// other streams go on.
@Suite struct StreamErrorTests {
    private let echoPath = "/bigrpc.test.Probe/Echo"

    @Test func unknownMethodIsUnimplemented() async throws {
        try await withTestServer(services: [ProbeService()]) { server in
            let connection = try await RawConnection(port: server.port)
            try await connection.open(1, "/no.Such/Method")
            try await connection.sendMessage(1, Bigrpc_Testing_V1_Empty())
            let (status, trailers, _) = try await connection.status(of: 1)
            #expect(status.code == .unimplemented)
            #expect(trailers[Metadata.requestIDKey] != nil)
            try await expectStillServing(connection, streamID: 3)
        }
    }

    @Test func undecodableRequestIsInvalidArgument() async throws {
        try await withTestServer(services: [ProbeService()]) { server in
            let connection = try await RawConnection(port: server.port)
            try await connection.open(1, echoPath)
            try await connection.send(Frame(type: .message, flags: .endStream, streamID: 1, payload: ByteBuffer(bytes: [0x12, 0x05, 0x01])))
            #expect(try await connection.status(of: 1).0.code == .invalidArgument)
            // A string carrying a NUL byte is refused too, never cut short:
            // SimpleRequest { response_status { message: "a\0b" } }.
            try await connection.open(3, echoPath)
            try await connection.send(
                Frame(
                    type: .message, flags: .endStream, streamID: 3,
                    payload: ByteBuffer(bytes: [0x1A, 0x05, 0x12, 0x03, 0x61, 0x00, 0x62])
                ))
            let (status, _, _) = try await connection.status(of: 3)
            #expect(status.code == .invalidArgument)
            #expect(status.message.contains("NUL"))
            try await expectStillServing(connection, streamID: 5)
        }
    }

    @Test func unaryWithoutOrWithSeveralRequestsIsInvalidArgument() async throws {
        try await withTestServer(services: [ProbeService()]) { server in
            let connection = try await RawConnection(port: server.port)
            try await connection.open(1, echoPath, endStream: true)
            #expect(try await connection.status(of: 1).0.code == .invalidArgument)
            try await connection.open(3, echoPath)
            try await connection.sendMessage(3, Bigrpc_Testing_V1_SimpleRequest(), endStream: false)
            try await connection.sendMessage(3, Bigrpc_Testing_V1_SimpleRequest(), endStream: true)
            #expect(try await connection.status(of: 3).0.code == .invalidArgument)
            try await expectStillServing(connection, streamID: 5)
        }
    }

    @Test func messageAfterEndStreamIsInternal() async throws {
        try await withTestServer(services: [ProbeService()]) { server in
            let connection = try await RawConnection(port: server.port)
            try await connection.open(1, "/bigrpc.test.Probe/Sleep")
            try await connection.sendMessage(1, Bigrpc_Testing_V1_SimpleRequest(responseSize: 2000), endStream: true)
            try await connection.sendMessage(1, Bigrpc_Testing_V1_SimpleRequest(), endStream: true)
            #expect(try await connection.status(of: 1).0.code == .internal)
            try await expectStillServing(connection, streamID: 3)
        }
    }

    @Test func handlerFailureIsInternalWithAGenericMessage() async throws {
        try await withTestServer(services: [ProbeService()]) { server in
            let response = try await server.client().unary(
                request: Bigrpc_Testing_V1_Empty(), method: ProbeService.fail, responseType: Bigrpc_Testing_V1_Empty.self
            )
            guard case .failure(let error) = response.result else {
                Issue.record("expected a failure")
                return
            }
            #expect(error.code == .internal)
            #expect(error.message == "internal error")
            #expect(!error.message.contains("password"))
        }
    }

    @Test func deadlineIsDeadlineExceededAndCancelsTheHandler() async throws {
        let probe = ProbeService()
        try await withTestServer(services: [probe]) { server in
            let connection = try await RawConnection(port: server.port)
            try await connection.open(1, "/bigrpc.test.Probe/Sleep", timeoutMs: 50)
            try await connection.sendMessage(1, Bigrpc_Testing_V1_SimpleRequest(responseSize: 10_000, payload: Array("slow".utf8)))
            let (status, _, messages) = try await connection.status(of: 1)
            #expect(status.code == .deadlineExceeded)
            #expect(messages == 0)
            #expect(await probe.waitFor(.cancelled("slow")))
        }
    }

    @Test func cancelCancelsTheHandlerAndNothingMoreIsSent() async throws {
        let probe = ProbeService()
        try await withTestServer(services: [probe]) { server in
            let connection = try await RawConnection(port: server.port)
            try await connection.open(1, "/bigrpc.test.Probe/Sleep")
            try await connection.sendMessage(1, Bigrpc_Testing_V1_SimpleRequest(responseSize: 10_000, payload: Array("victim".utf8)))
            #expect(await probe.waitFor(.started("victim")))
            try await connection.send(Frame(type: .cancel, streamID: 1))
            #expect(await probe.waitFor(.cancelled("victim")))
            // Nothing arrives for stream 1; stream 3 is answered normally.
            try await connection.open(3, echoPath)
            try await connection.sendMessage(3, Bigrpc_Testing_V1_SimpleRequest(payload: [9]))
            while let frame = try await connection.nextFrame() {
                #expect(frame.streamID != 1, "a frame was sent on the cancelled stream")
                if frame.streamID == 3 && frame.type == .trailers { break }
            }
        }
    }

    @Test func tooManyConcurrentStreamsIsResourceExhausted() async throws {
        let probe = ProbeService()
        try await withTestServer(services: [probe], configure: { $0.maxConcurrentStreams = 4 }) { server in
            let connection = try await RawConnection(port: server.port)
            for id in stride(from: UInt32(1), through: 7, by: 2) {
                try await connection.open(id, "/bigrpc.test.Probe/Sleep")
                try await connection.sendMessage(id, Bigrpc_Testing_V1_SimpleRequest(responseSize: 300, payload: Array("s\(id)".utf8)))
            }
            try await connection.open(9, echoPath)
            try await connection.sendMessage(9, Bigrpc_Testing_V1_SimpleRequest())
            let (status, _, _) = try await connection.status(of: 9)
            #expect(status.code == .resourceExhausted)
            // The four accepted calls complete.
            for id in stride(from: UInt32(1), through: 7, by: 2) {
                #expect(try await connection.status(of: id).0.code == .ok)
            }
        }
    }

    @Test func requestIDIsEchoedOrMade() async throws {
        try await withTestServer(services: [ProbeService()]) { server in
            let client = server.client()
            let echoed = try await client.unary(
                request: Bigrpc_Testing_V1_SimpleRequest(), method: ProbeService.echo,
                responseType: Bigrpc_Testing_V1_SimpleResponse.self, metadata: ["x-request-id": "abc-123"]
            )
            #expect(echoed.trailers["x-request-id"] == "abc-123")
            let made = try await client.unary(
                request: Bigrpc_Testing_V1_SimpleRequest(), method: ProbeService.echo,
                responseType: Bigrpc_Testing_V1_SimpleResponse.self
            )
            #expect(made.trailers["x-request-id"]?.count == 32)
        }
    }

    /// A further call on the same connection still works.
    private func expectStillServing(_ connection: RawConnection, streamID: UInt32) async throws {
        try await connection.open(streamID, echoPath)
        try await connection.sendMessage(streamID, Bigrpc_Testing_V1_SimpleRequest(payload: [4, 2]))
        let (status, _, messages) = try await connection.status(of: streamID)
        #expect(status.code == .ok)
        #expect(messages == 1)
    }
}
