import BigRPC
import BigRPCCodec
import BigRPCProtos
import BigRPCTestingProtos
import NIOCore
import Testing

@testable import BigRPCNIO

/// Hostile clients against a real server on loopback (issue 11, findings 1,
/// 2 and 4, and the budgets that answer them): the server survives, refuses
/// with a clear status, frees what the attacker made it hold, and keeps
/// answering a well-behaved client throughout. Settings are small so each
/// test takes a second or two.
@Suite(.timeLimit(.minutes(2)))
struct HostileTransportTests {
    private let echoPath = ProbeService.echo.path
    private let collectPath = ProbeService.collect.path

    // MARK: Finding 1: one frame must not kill the process

    @Test(arguments: [UInt64(9_300_000_000_000), UInt64(Int64.max), UInt64.max])
    func aHugeTimeoutDoesNotKillTheServer(_ timeoutMs: UInt64) async throws {
        try await withTestServer(services: [ProbeService()]) { server in
            let attacker = try await RawConnection(port: server.port)
            try await attacker.open(1, echoPath, timeoutMs: timeoutMs)
            try await attacker.sendMessage(1, Bigrpc_Testing_V1_SimpleRequest(payload: [1]))
            // The call is served, with its deadline capped at 30 days.
            let (status, _, messages) = try await attacker.status(of: 1)
            #expect(status.code == .ok)
            #expect(messages == 1)
            await attacker.close()
            // And the server is still there for everyone else.
            #expect(try await echo(server.client()))
        }
    }

    @Test func aClientWithAHugeTimeoutDoesNotCrash() async throws {
        try await withTestServer(services: [ProbeService()]) { server in
            // `bigprobe call … --max-time 10000000000` used to trap in the client.
            let timeouts: [Duration] = [Duration(saturatingSeconds: 1e10), .seconds(Int64.max), Duration(saturatingSeconds: .infinity)]
            for timeout in timeouts {
                let answered = try await echo(server.client(), options: CallOptions(timeout: timeout))
                #expect(answered)
            }
        }
    }

    @Test func anUnknownMethodIsQuotedShort() async throws {
        try await withTestServer(services: [ProbeService()]) { server in
            let connection = try await RawConnection(port: server.port)
            let path = "/" + String(repeating: "x", count: 1024 * 1024)
            try await connection.open(1, path, endStream: true)
            let (status, _, _) = try await connection.status(of: 1)
            #expect(status.code == .unimplemented)
            #expect(status.message.utf8.count < 200)
            #expect(status.message.hasSuffix("… is not implemented"))
        }
    }

    // MARK: Finding 2: unfinished requests

    @Test func anUnfinishedUnaryRequestEndsAtTheRequestTimeout() async throws {
        try await withTestServer(services: [ProbeService()], configure: { $0.requestTimeout = .milliseconds(500) }) { server in
            let connection = try await RawConnection(port: server.port)
            try await connection.open(1, echoPath)
            try await connection.sendMessage(1, Bigrpc_Testing_V1_SimpleRequest(payload: [1]), endStream: false)
            let (status, _, messages) = try await connection.status(of: 1)
            #expect(status.code == .deadlineExceeded)
            #expect(status.message == "the request did not arrive whole within 500 ms of its headers")
            #expect(messages == 0)
            // HEADERS without any message: the same.
            try await connection.open(3, ProbeService.stream.path)
            #expect(try await connection.status(of: 3).0.code == .deadlineExceeded)
            // The connection goes on.
            try await expectEchoes(connection, streamID: 5)
        }
    }

    @Test func aClientStreamOutlivesTheRequestTimeout() async throws {
        try await withTestServer(services: [ProbeService()], configure: { $0.requestTimeout = .milliseconds(200) }) { server in
            let connection = try await RawConnection(port: server.port)
            try await connection.open(1, collectPath)
            try await connection.sendMessage(1, Bigrpc_Testing_V1_StreamingInputCallRequest(payload: [1, 2, 3]), endStream: false)
            try await Task.sleep(for: .milliseconds(800))
            try await connection.sendMessage(1, Bigrpc_Testing_V1_StreamingInputCallRequest(payload: [4]), endStream: true)
            let (status, _, messages) = try await connection.status(of: 1)
            #expect(status.code == .ok)
            #expect(messages == 1)
        }
    }

    @Test func anUnfinishedRequestNoLongerKeepsAConnectionAlive() async throws {
        try await withTestServer(
            services: [ProbeService()],
            configure: {
                $0.requestTimeout = .milliseconds(500)
                $0.idleTimeout = .seconds(3)
            }
        ) { server in
            let connection = try await RawConnection(port: server.port)
            try await connection.open(1, echoPath)
            try await connection.sendMessage(1, Bigrpc_Testing_V1_SimpleRequest(payload: [1]), endStream: false)
            #expect(try await connection.status(of: 1).0.code == .deadlineExceeded)
            // Then nothing is open, and the idle timeout closes the connection.
            let goAway = try await connection.goAwayThenClose()
            #expect(goAway?.message == "idle timeout")
        }
    }

    @Test func theProcessBudgetRefusesWhatItCannotHold() async throws {
        try await withTestServer(
            services: [ProbeService()],
            configure: {
                $0.maxBufferedRequestBytes = 1024 * 1024
                $0.requestTimeout = .seconds(60)
            }
        ) { server in
            let attacker = try await RawConnection(port: server.port)
            let chunk = [UInt8](repeating: 7, count: 300 * 1024)
            // Three unfinished 300 KiB requests fit in 1 MiB; a fourth does not.
            for id: UInt32 in [1, 3, 5, 7] {
                try await attacker.open(id, echoPath)
                try await attacker.sendMessage(id, bytes: chunk, endStream: false)
            }
            let (status, _, _) = try await attacker.status(of: 7)
            #expect(status.code == .resourceExhausted)
            #expect(status.message.hasPrefix("server busy"))
            // A whole small request is not held, so it is never refused: the
            // attack does not lock out anyone else.
            #expect(try await echo(server.client(), payload: [UInt8](repeating: 3, count: 8 * 1024)))
            // A large one is held while it arrives, so it waits for better times.
            await #expect(throws: RPCError.self) { try await echo(server.client(), payload: chunk) }
            // A large frame still arriving is counted too: past the budget it
            // is never buffered, and its stream is refused from its header.
            let second = try await RawConnection(port: server.port)
            try await second.open(1, echoPath)
            var partial = ByteBuffer()
            partial.writeInteger(UInt32(6 + 200 * 1024))
            partial.writeBytes([FrameType.message.rawValue, 0, 0, 0, 0, 1])
            partial.writeBytes([UInt8](repeating: 1, count: 1000))
            try await second.send(Array(partial.readableBytesView))
            let (dropped, _, _) = try await second.status(of: 1)
            #expect(dropped.code == .resourceExhausted)
            #expect(dropped.message.hasPrefix("server busy"))
            // The rest of that frame is skipped as it arrives; the connection goes on.
            try await second.send([UInt8](repeating: 1, count: 200 * 1024 - 1000))
            try await expectEchoes(second, streamID: 3)
            // Once the attacker leaves, its bytes are free again: a client
            // stream of the same size goes through.
            await attacker.close()
            try await expectEventually {
                try await collect(server.client(), [chunk, chunk, chunk]) == 3 * chunk.count
            }
            #expect(try await echo(server.client(), payload: chunk))
        }
    }

    @Test func aConnectionOverItsBudgetIsNotReadUntilItsBytesAreFreed() async throws {
        try await withTestServer(
            services: [ProbeService()],
            configure: {
                $0.maxBufferedRequestBytesPerConnection = 512 * 1024
                $0.requestTimeout = .seconds(1)
            }
        ) { server in
            let connection = try await RawConnection(port: server.port)
            try await connection.open(1, echoPath)
            try await connection.sendMessage(1, bytes: [UInt8](repeating: 7, count: 600 * 1024), endStream: false)
            // A whole request behind it is still served (it was read together
            // with the big one, or before the server paused)...
            try await expectEchoes(connection, streamID: 3)
            // ...but now the connection is over its budget and not read: this
            // PING is answered only once the request timeout freed stream 1.
            try await connection.send(Frame(type: .ping, streamID: 0, payload: ByteBuffer(bytes: [1, 2, 3, 4, 5, 6, 7, 8])))
            var order: [String] = []
            while order.count < 2, let frame = try await connection.nextFrame() {
                if frame.type == .trailers && frame.streamID == 1 {
                    let status = try Bigrpc_V1_Status(serializedBytes: frame.payload.readableBytesView)
                    #expect(status.code == StatusCode.deadlineExceeded.rawValue)
                    order.append("trailers")
                }
                if frame.type == .ping { order.append("ping") }
            }
            #expect(order == ["trailers", "ping"])
            try await expectEchoes(connection, streamID: 5)
        }
    }

    // MARK: Finding 4: connections

    @Test func aSilentConnectionIsClosedAfterTheSetupTimeout() async throws {
        // Long enough that a loaded machine sends the PING and the first call in time.
        try await withTestServer(services: [ProbeService()], configure: { $0.connectionSetupTimeout = .seconds(1) }) { server in
            let silent = try await RawConnection(port: server.port)
            let goAway = try await silent.goAwayThenClose()
            #expect(goAway?.code == 0)
            #expect(goAway?.message == "no request within 1 s of connecting")
            // PINGs alone do not count as a request: answered, then closed all the
            // same. (On a machine slow enough to send the PING late, the
            // connection is closed before it: the GOAWAY is the same.)
            let pinging = try await RawConnection(port: server.port)
            let ping = Frame(type: .ping, streamID: 0, payload: ByteBuffer(bytes: [0, 0, 0, 0, 0, 0, 0, 1]))
            try? await pinging.send(ping)
            #expect(try await pinging.goAwayThenClose()?.message == "no request within 1 s of connecting")
            // A connection that made a call in time stays past the timeout
            // (a fresh one per try: a loaded machine may connect, then stall).
            try await expectEventually {
                let prompt = try await RawConnection(port: server.port)
                defer { Task { await prompt.close() } }
                guard try await echoes(prompt, streamID: 1) else { return false }
                try await Task.sleep(for: .milliseconds(1500))
                return try await echoes(prompt, streamID: 3)
            }
        }
    }

    @Test func aConnectionFloodFromOneAddressDoesNotLockOutOthers() async throws {
        try await withTestServer(
            services: [ProbeService()],
            configure: {
                $0.maxConnectionsPerAddress = 20
                $0.connectionSetupTimeout = .seconds(60)
            }
        ) { server in
            // Twenty connections, each known to the server (it answered them;
            // connections are set up on several event loops, in any order)...
            var flood: [RawConnection] = []
            for _ in 0..<20 {
                let connection = try await RawConnection(port: server.port, localHost: "127.0.0.2")
                try await expectEchoes(connection, streamID: 1)
                flood.append(connection)
            }
            // ...then ten more, over the cap: accepted and closed at once, with the reason.
            var extra: [RawConnection] = []
            for _ in 0..<10 {
                extra.append(try await RawConnection(port: server.port, localHost: "127.0.0.2"))
            }
            for connection in extra {
                let refused = try await connection.goAwayThenClose()
                #expect(refused?.code == StatusCode.resourceExhausted.rawValue)
                #expect(refused?.message == "too many connections from one address (limit 20)")
            }
            #expect(server.server.refusedConnections == 10)
            // Another address is served all along.
            var options = BigRPCClientTransport.Configuration()
            options.localHost = "127.0.0.1"
            let client = RPCClient(transport: BigRPCClientTransport(host: "127.0.0.1", port: server.port, configuration: options))
            #expect(try await echo(client))
            // Closing some makes room for that address again.
            for connection in flood.prefix(5) { await connection.close() }
            try await expectEventually {
                let again = try await RawConnection(port: server.port, localHost: "127.0.0.2")
                defer { Task { await again.close() } }
                return try await echoes(again, streamID: 1)
            }
            for connection in flood { await connection.close() }
        }
    }

    @Test func theTotalCapRefusesEveryAddressAlike() async throws {
        try await withTestServer(
            services: [ProbeService()],
            configure: {
                $0.maxConnections = 5
                $0.connectionSetupTimeout = .seconds(60)
            }
        ) { server in
            #expect(server.server.effectiveMaxConnections == 5)
            var held: [RawConnection] = []
            for index in 0..<5 {
                let connection = try await RawConnection(port: server.port, localHost: "127.0.0.\(2 + index)")
                try await expectEchoes(connection, streamID: 1)
                held.append(connection)
            }
            let sixth = try await RawConnection(port: server.port, localHost: "127.0.0.9")
            let goAway = try await sixth.goAwayThenClose()
            #expect(goAway?.code == StatusCode.resourceExhausted.rawValue)
            #expect(goAway?.message == "too many connections (limit 5)")
            for connection in held { await connection.close() }
        }
    }

    @Test func aBurstOfFirstCallsSharesOneConnection() async throws {
        // A client firing many calls at once must not look like a flood: they
        // wait for one connection instead of racing to open one each.
        try await withTestServer(services: [ProbeService()], configure: { $0.maxConnectionsPerAddress = 2 }) { server in
            let client = server.client()
            let answered = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<200 {
                    group.addTask { try await echo(client) }
                }
                return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(answered == 200)
            #expect(server.server.refusedConnections == 0)
        }
    }

    // MARK: Helpers

    private func echo(_ client: RPCClient, payload: [UInt8] = [4, 2], options: CallOptions = .defaults) async throws -> Bool {
        let response = try await client.unary(
            request: Bigrpc_Testing_V1_SimpleRequest(payload: payload),
            method: ProbeService.echo,
            responseType: Bigrpc_Testing_V1_SimpleResponse.self,
            options: options
        )
        return try response.result.get().payload == payload
    }

    private func collect(_ client: RPCClient, _ payloads: [[UInt8]]) async throws -> Int {
        let response = try await client.clientStreaming(
            method: ProbeService.collect,
            responseType: Bigrpc_Testing_V1_StreamingInputCallResponse.self
        ) { writer in
            for payload in payloads {
                try await writer.write(Bigrpc_Testing_V1_StreamingInputCallRequest(payload: payload))
            }
        }
        return Int(try response.result.get().aggregatedPayloadSize)
    }

    private func expectEchoes(
        _ connection: RawConnection,
        streamID: UInt32,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        #expect(try await echoes(connection, streamID: streamID), sourceLocation: sourceLocation)
    }

    /// Whether an Echo call on `streamID` of a raw connection succeeds.
    private func echoes(_ connection: RawConnection, streamID: UInt32) async throws -> Bool {
        try await connection.sendUnary(streamID, echoPath, Bigrpc_Testing_V1_SimpleRequest(payload: [4, 2]))
        let (status, _, messages) = try await connection.status(of: streamID)
        return status.code == .ok && messages == 1
    }

    /// Polls `condition` (errors count as false) until it holds, for up to 10 s.
    private func expectEventually(
        _ condition: () async throws -> Bool,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            if (try? await condition()) == true { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        Issue.record("the condition did not hold within 10 s", sourceLocation: sourceLocation)
    }
}
