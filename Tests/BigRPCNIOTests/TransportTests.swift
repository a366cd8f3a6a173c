import BigRPC
import BigRPCCodec
import BigRPCProtos
import BigRPCTestingProtos
import NIOCore
import Synchronization
import Testing

@testable import BigRPCNIO

/// The transport end to end: call shapes, concurrency, shutdown, timeouts,
/// backpressure and the client's connection handling.
@Suite struct TransportTests {
    typealias Request = Bigrpc_Testing_V1_SimpleRequest
    typealias Response = Bigrpc_Testing_V1_SimpleResponse
    typealias Chunk = Bigrpc_Testing_V1_StreamingInputCallRequest

    @Test func thousandConcurrentCallsOverTenConnections() async throws {
        try await withTestServer(services: [ProbeService()]) { server in
            let clients = (0..<10).map { _ in server.client() }
            let ok = try await withThrowingTaskGroup(of: Bool.self) { group in
                for index in 0..<1000 {
                    let client = clients[index % clients.count]
                    group.addTask {
                        let payload = Array("call-\(index)".utf8)
                        let response = try await client.unary(
                            request: Request(payload: payload), method: ProbeService.echo, responseType: Response.self
                        )
                        return try response.message.payload == payload
                    }
                }
                return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(ok == 1000)
        }
    }

    @Test func clientStreamingSendsTheLastRequestWithEndStream() async throws {
        try await withTestServer(services: [ProbeService()]) { server in
            let client = server.client()
            let response = try await client.clientStreaming(
                method: ProbeService.collect, requestType: Chunk.self,
                responseType: Bigrpc_Testing_V1_StreamingInputCallResponse.self
            ) { writer in
                for size in [3, 0, 5] { try await writer.write(Chunk(payload: [UInt8](repeating: 1, count: size))) }
            }
            #expect(try response.message.aggregatedPayloadSize == 8)
            let empty = try await client.clientStreaming(
                method: ProbeService.collect, requestType: Chunk.self,
                responseType: Bigrpc_Testing_V1_StreamingInputCallResponse.self
            ) { _ in }
            #expect(try empty.message.aggregatedPayloadSize == 0)
        }
    }

    @Test func bidirectionalPingPongAndHalfClose() async throws {
        try await withTestServer(services: [ProbeService()]) { server in
            let client = server.client()
            let echoed: [Int] = try await client.bidirectionalStreaming(
                method: ProbeService.chat, requestType: Chunk.self, responseType: Chunk.self
            ) { writer, responses in
                var iterator = responses.makeAsyncIterator()
                var sizes: [Int] = []
                for size in [1, 2, 3] {
                    try await writer.write(Chunk(payload: [UInt8](repeating: 0, count: size)), isLast: size == 3)
                    sizes.append(try await iterator.next()?.payload.count ?? -1)
                }
                #expect(try await iterator.next() == nil)
                #expect(responses.trailers?["x-request-id"] != nil)
                return sizes
            }
            #expect(echoed == [1, 2, 3])
            // With no request at all, finish() half-closes through HEADERS.
            let none: Int = try await client.bidirectionalStreaming(
                method: ProbeService.chat, requestType: Chunk.self, responseType: Chunk.self
            ) { writer, responses in
                try await writer.finish()
                var count = 0
                for try await _ in responses { count += 1 }
                return count
            }
            #expect(none == 0)
        }
    }

    @Test func clientDeadlineAndCancellation() async throws {
        let probe = ProbeService()
        try await withTestServer(services: [probe]) { server in
            let client = server.client()
            // Handlers that would sleep a minute: the deadline and the
            // cancellation must end them long before, however loaded the machine.
            let started = ContinuousClock.now
            await #expect {
                _ = try await client.unary(
                    request: Request(responseSize: 60_000, payload: Array("timed".utf8)), method: ProbeService.sleep,
                    responseType: Response.self, options: CallOptions(timeout: .milliseconds(100))
                ).message
            } throws: { ($0 as? RPCError)?.code == .deadlineExceeded }
            #expect(ContinuousClock.now - started < .seconds(30))
            // On a loaded machine the deadline can pass before the request
            // leaves; then the server never sees the call, which is right too.
            if probe.recorded.contains(.started("timed")) {
                #expect(await probe.waitFor(.cancelled("timed")))
            }

            let task = Task {
                try await client.unary(
                    request: Request(responseSize: 60_000, payload: Array("abandoned".utf8)), method: ProbeService.sleep,
                    responseType: Response.self
                )
            }
            #expect(await probe.waitFor(.started("abandoned")))
            task.cancel()
            await #expect {
                _ = try await task.value
            } throws: { ($0 as? RPCError)?.code == .cancelled }
            #expect(await probe.waitFor(.cancelled("abandoned")))
        }
    }

    /// The deadline ends a client stream on the wire at once; the code
    /// writing the requests learns at its next write, which throws.
    @Test func aWriteAfterTheDeadlineThrowsDeadlineExceeded() async throws {
        try await withTestServer(services: [ProbeService()]) { server in
            let client = server.client()
            let writeError = Mutex<RPCError?>(nil)
            let writes = Mutex(0)
            await #expect {
                _ = try await client.clientStreaming(
                    method: ProbeService.collect, requestType: Chunk.self,
                    responseType: Bigrpc_Testing_V1_StreamingInputCallResponse.self,
                    options: CallOptions(timeout: .milliseconds(200))
                ) { writer in
                    // Bounded: 500 writes 20 ms apart outlast the deadline many times over.
                    for _ in 0..<500 {
                        do {
                            try await writer.write(Chunk(payload: [1]))
                        } catch {
                            writeError.withLock { $0 = error as? RPCError }
                            throw error
                        }
                        writes.withLock { $0 += 1 }
                        try await Task.sleep(for: .milliseconds(20))
                    }
                }.message
            } throws: { ($0 as? RPCError)?.code == .deadlineExceeded }
            #expect(writeError.withLock { $0?.code } == .deadlineExceeded)
            #expect(writes.withLock { $0 } < 500)
        }
    }

    @Test func gracefulShutdownLosesNoAcceptedCall() async throws {
        let probe = ProbeService()
        let server = try await TestServer(services: [probe])
        let client = server.client()
        let calls = (0..<20).map { index in
            Task {
                try await client.unary(
                    request: Request(responseSize: 300, payload: Array("inflight-\(index)".utf8)),
                    method: ProbeService.sleep, responseType: Response.self
                ).message
            }
        }
        for index in 0..<20 { #expect(await probe.waitFor(.started("inflight-\(index)"))) }
        server.server.beginGracefulShutdown()
        for (index, call) in calls.enumerated() {
            #expect(try await call.value.payload == Array("inflight-\(index)".utf8))
        }
        try await server.waitUntilStopped()
        // Once stopped, the server refuses connections.
        await #expect {
            _ = try await server.client().unary(request: Request(), method: ProbeService.echo, responseType: Response.self)
        } throws: { ($0 as? RPCError)?.code == .unavailable }
    }

    /// GOAWAY names the last wire stream id the server accepted. A call that
    /// opened first but has sent nothing yet holds an earlier local handle
    /// than a call whose HEADERS left first: only the wire ids count.
    @Test func goAwayFailsOnlyTheCallsTheServerNeverSaw() async throws {
        let probe = ProbeService()
        let server = try await TestServer(services: [probe])
        let client = server.client()
        let (release, releaseWriter) = AsyncStream<Void>.makeStream()
        // Its HEADERS wait for its first message, which waits for `release`.
        let unsent = Task {
            try await client.clientStreaming(
                method: ProbeService.collect,
                requestType: Bigrpc_Testing_V1_StreamingInputCallRequest.self,
                responseType: Bigrpc_Testing_V1_StreamingInputCallResponse.self
            ) { writer in
                for await _ in release { break }
                try await writer.write(Bigrpc_Testing_V1_StreamingInputCallRequest(payload: [1]))
            }.message
        }
        try await Task.sleep(for: .milliseconds(100))  // lets `unsent` take the first handle
        let inflight = Task {
            try await client.unary(
                request: Request(responseSize: 500, payload: Array("inflight".utf8)),
                method: ProbeService.sleep, responseType: Response.self
            ).message
        }
        #expect(await probe.waitFor(.started("inflight")))
        server.server.beginGracefulShutdown()
        // Wire stream 1, accepted before the GOAWAY: the server finishes it.
        #expect(try await inflight.value.payload == Array("inflight".utf8))
        releaseWriter.yield()
        await #expect { _ = try await unsent.value } throws: { ($0 as? RPCError)?.code == .unavailable }
        try await server.waitUntilStopped()
    }

    @Test func streamsOpenedAfterGoAwayAreUnavailable() async throws {
        let probe = ProbeService()
        let server = try await TestServer(services: [probe])
        let connection = try await RawConnection(port: server.port)
        // Sleeps long enough that a stalled test still opens stream 3 before it ends.
        try await connection.open(1, "/bigrpc.test.Probe/Sleep")
        try await connection.sendMessage(1, Request(responseSize: 5_000, payload: Array("first".utf8)))
        #expect(await probe.waitFor(.started("first")))
        server.server.beginGracefulShutdown()
        let goAway = try #require(try await connection.nextFrame())
        #expect(goAway.type == .goAway)
        let decoded = try Bigrpc_V1_GoAway(serializedBytes: goAway.payload.readableBytesView)
        #expect(decoded.code == 0)
        #expect(decoded.lastStreamId == 1)
        try await connection.open(3, "/bigrpc.test.Probe/Echo")
        try await connection.sendMessage(3, Request())
        #expect(try await connection.status(of: 3).0.code == .unavailable)
        #expect(try await connection.status(of: 1).0.code == .ok)
        #expect(try await connection.nextFrame() == nil)
        try await server.waitUntilStopped()
    }

    @Test func drainTimeoutEndsStragglers() async throws {
        let probe = ProbeService()
        let server = try await TestServer(services: [probe]) { $0.drainTimeout = .milliseconds(200) }
        let client = server.client()
        let straggler = Task {
            try await client.unary(
                request: Request(responseSize: 60_000, payload: Array("straggler".utf8)),
                method: ProbeService.sleep, responseType: Response.self
            )
        }
        #expect(await probe.waitFor(.started("straggler")))
        let started = ContinuousClock.now
        server.server.beginGracefulShutdown()
        try await server.waitUntilStopped()
        #expect(ContinuousClock.now - started < .seconds(5))
        await #expect { _ = try await straggler.value } throws: { ($0 as? RPCError)?.code == .unavailable }
    }

    @Test func clientReconnectsAfterTheServerRestarts() async throws {
        let first = try await TestServer(services: [ProbeService()])
        let port = first.port
        let client = first.client()
        #expect(try await client.unary(request: Request(payload: [1]), method: ProbeService.echo, responseType: Response.self).message.payload == [1])
        try await first.stop()
        await #expect {
            _ = try await client.unary(request: Request(payload: [2]), method: ProbeService.echo, responseType: Response.self).message
        } throws: { ($0 as? RPCError)?.code == .unavailable }
        let second = try await TestServer(services: [ProbeService()]) { $0.port = port }
        #expect(try await client.unary(request: Request(payload: [3]), method: ProbeService.echo, responseType: Response.self).message.payload == [3])
        try await second.stop()
    }

    @Test func pingIsAnswered() async throws {
        try await withTestServer(services: []) { server in
            let connection = try await RawConnection(port: server.port)
            let payload = ByteBuffer(bytes: [8, 7, 6, 5, 4, 3, 2, 1])
            try await connection.send(Frame(type: .ping, streamID: 0, payload: payload))
            let reply = try #require(try await connection.nextFrame())
            #expect(reply == Frame(type: .ping, flags: .ack, streamID: 0, payload: payload))
        }
    }

    @Test func idleConnectionsAreClosed() async throws {
        try await withTestServer(services: [ProbeService()], configure: { $0.idleTimeout = .seconds(1) }) { server in
            let connection = try await RawConnection(port: server.port)
            let goAway = try await connection.goAwayThenClose()
            #expect(goAway?.code == 0)
            #expect(goAway?.message == "idle timeout")
            // An open stream keeps a connection alive past the idle timeout.
            // (A fresh connection per try: a machine that stalls the test for
            // a second between connecting and calling lets the idle timeout
            // close it first, rightly.)
            var answered = false
            for _ in 0..<5 where !answered {
                let busy = try await RawConnection(port: server.port)
                try? await busy.sendUnary(1, "/bigrpc.test.Probe/Sleep", Request(responseSize: 2_500))
                answered = (try? await busy.status(of: 1).0.code) == .ok
                await busy.close()
            }
            #expect(answered)
        }
    }

    @Test func halfSentFramesTimeOut() async throws {
        try await withTestServer(services: [], configure: { $0.readTimeout = .milliseconds(200) }) { server in
            let connection = try await RawConnection(port: server.port)
            try await connection.send([0, 0, 0, 20, 0x02, 0, 0, 0])  // 8 of 24 bytes
            let started = ContinuousClock.now
            let goAway = try await connection.goAwayThenClose()
            #expect(goAway?.code == StatusCode.internal.rawValue)
            // The configured 200 ms, not the default 10 s; with room for a
            // loaded machine's late timers.
            #expect(ContinuousClock.now - started < .seconds(9))
        }
    }

    @Test func aClientThatStopsReadingDoesNotMakeTheServerBuffer() async throws {
        let probe = ProbeService()
        try await withTestServer(services: [probe]) { server in
            let connection = try await RawConnection(port: server.port)
            // 4,000 messages of 64 KiB = 250 MiB, which the client never reads.
            try await connection.open(1, "/bigrpc.test.Probe/Stream")
            try await connection.sendMessage(1, Request(responseSize: 4_000))
            // Wait until the handler stalls: the count stops moving.
            let stalledAt = try #require(try await Self.writesWhenStalled(probe), "the handler never stalled")
            // At most socket buffers plus the writer's allowance were produced,
            // nowhere near the 4,000 requested.
            #expect(stalledAt < 200)
            // Reading resumes the stream, and it completes.
            var messages = 0
            while let frame = try await connection.nextFrame() {
                if frame.type == .message { messages += 1 }
                if frame.type == .trailers { break }
            }
            #expect(messages == 4_000)
        }
    }

    @Test func cancellingAStreamReleasesItsWriterBlockedOnAFullChannel() async throws {
        let probe = ProbeService()
        try await withTestServer(services: [probe]) { server in
            let connection = try await RawConnection(port: server.port)
            try await connection.open(1, "/bigrpc.test.Probe/Stream")
            try await connection.sendMessage(1, Request(responseSize: 4_000))
            // The client reads nothing: wait until the handler's writes stall.
            _ = try #require(try await Self.writesWhenStalled(probe), "the handler never stalled")
            // CANCEL ends the handler although the channel stays full.
            try await connection.send(Frame(type: .cancel, streamID: 1))
            #expect(await probe.waitFor(.cancelled("stream")))
            await connection.close()
        }
    }

    /// The number of messages `probe`'s Stream handler had written once the
    /// count stopped moving for 250 ms, or nil if it never did (bounded: 10 s).
    private static func writesWhenStalled(_ probe: ProbeService) async throws -> Int? {
        var previous = -1
        var unchanged = 0
        for _ in 0..<200 {
            try await Task.sleep(for: .milliseconds(50))
            let now = probe.written.withLock { $0 }
            unchanged = now == previous ? unchanged + 1 : 0
            previous = now
            if unchanged >= 5 { return now }
        }
        return nil
    }
}
