import BigRPC
import BigRPCCodec
import BigRPCProtos
import BigRPCTestingProtos
import NIOCore
import Synchronization
import Testing

@testable import BigRPCNIO

/// Stream churn and open streams (the red team's finding F1): a client that
/// opens streams only to cancel them, or makes the server refuse them, loses
/// its connection; streams open across connections are capped per address
/// and per process; and a graceful shutdown does not wait for streams the
/// client cancelled.
@Suite(.timeLimit(.minutes(2)))
struct HostileChurnTests {
    private let echoPath = ProbeService.echo.path
    private let collectPath = ProbeService.collect.path

    /// HEADERS followed at once by CANCEL ("rapid reset", CVE-2023-44487).
    @Test func rapidResetClosesTheConnection() async throws {
        try await withTestServer(services: [ProbeService()], configure: { $0.maxStreamChurn = 50 }) { server in
            let attacker = try await RawConnection(port: server.port, localHost: "127.0.0.2")
            let headers = try ByteBuffer(bytes: Bigrpc_V1_RequestHeaders(method: echoPath).serializedBytes())
            // One write: 50 cancelled streams are within the budget, the 51st
            // is one too many. (Nothing sent after it, or the close resets.)
            var frames: [Frame] = []
            for index in 0..<51 {
                let id = UInt32(index * 2 + 1)
                frames.append(Frame(type: .headers, streamID: id, payload: headers))
                frames.append(Frame(type: .cancel, streamID: id, payload: ByteBuffer()))
            }
            try await attacker.send(frames)
            let goAway = try await attacker.goAwayThenClose()
            #expect(goAway?.code == StatusCode.resourceExhausted.rawValue)
            #expect(goAway?.message == "too many streams cancelled or refused (limit 50 per 10 s)")
            // Everyone else, the same address included, is served.
            #expect(try await echoes(RawConnection(port: server.port, localHost: "127.0.0.2")))
        }
    }

    /// Streams refused by the transport (here, over the connection's own
    /// concurrency cap) count the same as cancelled ones.
    @Test func refusedStreamsCountTowardsTheChurnBudget() async throws {
        try await withTestServer(
            services: [ProbeService()],
            configure: {
                $0.maxStreamChurn = 20
                $0.maxConcurrentStreams = 2
                $0.requestTimeout = nil
            }
        ) { server in
            let attacker = try await RawConnection(port: server.port)
            let headers = try ByteBuffer(bytes: Bigrpc_V1_RequestHeaders(method: collectPath).serializedBytes())
            let frames = (0..<23).map { Frame(type: .headers, streamID: UInt32($0 * 2 + 1), payload: headers) }
            try await attacker.send(frames)
            // Two open, twenty refused with their status, then GOAWAY.
            var refused = 0
            var goAway: Bigrpc_V1_GoAway?
            while let frame = try await attacker.nextFrame() {
                if frame.type == .trailers { refused += 1 }
                if frame.type == .goAway { goAway = try Bigrpc_V1_GoAway(serializedBytes: frame.payload.readableBytesView) }
            }
            #expect(refused == 20)
            #expect(goAway?.code == StatusCode.resourceExhausted.rawValue)
        }
    }

    /// A few cancellations, as any client makes, are fine.
    @Test func cancellingWithinTheBudgetKeepsTheConnection() async throws {
        try await withTestServer(services: [ProbeService()], configure: { $0.maxStreamChurn = 10 }) { server in
            let connection = try await RawConnection(port: server.port)
            for index in 0..<10 {
                let id = UInt32(index * 2 + 1)
                try await connection.open(id, echoPath)
                try await connection.send(Frame(type: .cancel, streamID: id, payload: ByteBuffer()))
            }
            #expect(try await echoes(connection, streamID: 21))
        }
    }

    /// A stream cancelled before its request arrived never had a handler
    /// task: the interceptors (which run first in every call) saw only the
    /// call that was served.
    @Test func aStreamCancelledBeforeItsRequestCostsNoTask() async throws {
        let seen = CallCounter()
        try await withTestServer(services: [ProbeService()], interceptors: [seen]) { server in
            let connection = try await RawConnection(port: server.port)
            let headers = try ByteBuffer(bytes: Bigrpc_V1_RequestHeaders(method: echoPath).serializedBytes())
            var frames: [Frame] = []
            for index in 0..<50 {
                let id = UInt32(index * 2 + 1)
                frames.append(Frame(type: .headers, streamID: id, payload: headers))
                frames.append(Frame(type: .cancel, streamID: id, payload: ByteBuffer()))
            }
            try await connection.send(frames)
            #expect(try await echoes(connection, streamID: 101))
            try await Task.sleep(for: .milliseconds(200))
            #expect(seen.calls == 1)
        }
    }

    @Test func openStreamsAreCappedPerAddressAndPerProcess() async throws {
        try await withTestServer(
            services: [ProbeService()],
            configure: {
                $0.maxOpenStreamsPerAddress = 10
                $0.maxOpenStreams = 15
                $0.requestTimeout = nil
            }
        ) { server in
            // Two connections from one address: the eleventh stream is refused.
            // (Each connection is on its own event loop: a PING answered
            // shows the server has taken in the streams sent before it.)
            let first = try await RawConnection(port: server.port, localHost: "127.0.0.2")
            let second = try await RawConnection(port: server.port, localHost: "127.0.0.2")
            for index in 0..<6 { try await first.open(UInt32(index * 2 + 1), collectPath) }
            try await ping(first)
            for index in 0..<4 { try await second.open(UInt32(index * 2 + 1), collectPath) }
            try await second.open(9, collectPath)
            let perAddress = try await second.status(of: 9).0
            #expect(perAddress.code == .resourceExhausted)
            #expect(perAddress.message == "too many open streams from one address (limit 10)")
            // Another address has room up to the process's cap.
            let other = try await RawConnection(port: server.port, localHost: "127.0.0.3")
            for index in 0..<5 { try await other.open(UInt32(index * 2 + 1), collectPath) }
            try await other.open(11, collectPath)
            let total = try await other.status(of: 11).0
            #expect(total.code == .resourceExhausted)
            #expect(total.message == "too many open streams (limit 15)")
            // Streams that end give their place back: cancelled ones, and a closed connection's.
            try await first.send(Frame(type: .cancel, streamID: 1, payload: ByteBuffer()))
            await second.close()
            try await expectEventually {
                let again = try await RawConnection(port: server.port, localHost: "127.0.0.2")
                defer { Task { await again.close() } }
                return try await echoes(again)
            }
            await first.close()
            await other.close()
        }
    }

    /// A client that cancels its last stream while the server drains lets
    /// the server stop at once, not at the drain timeout.
    @Test func aCancelledStreamDoesNotHoldUpTheShutdown() async throws {
        let server = try await TestServer(
            services: [ProbeService()],
            configure: {
                $0.drainTimeout = .seconds(60)
                $0.requestTimeout = nil
            })
        let connection = try await RawConnection(port: server.port)
        try await connection.open(1, collectPath)
        try await ping(connection)
        let clock = ContinuousClock()
        let started = clock.now
        server.server.beginGracefulShutdown()
        #expect(try await connection.nextFrame()?.type == .goAway)
        try await connection.send(Frame(type: .cancel, streamID: 1, payload: ByteBuffer()))
        #expect(try await connection.nextFrame() == nil)
        try await server.waitUntilStopped()
        #expect(clock.now - started < .seconds(10))
    }

    // MARK: Helpers

    private func echoes(_ connection: RawConnection, streamID: UInt32 = 1) async throws -> Bool {
        try await connection.sendUnary(streamID, echoPath, Bigrpc_Testing_V1_SimpleRequest(payload: [1]))
        let (status, _, messages) = try await connection.status(of: streamID)
        return status.code == .ok && messages == 1
    }

    private func ping(_ connection: RawConnection) async throws {
        try await connection.send(Frame(type: .ping, streamID: 0, payload: ByteBuffer(bytes: [UInt8](repeating: 0, count: 8))))
        #expect(try await connection.nextFrame()?.type == .ping)
    }

    private func expectEventually(_ condition: () async throws -> Bool) async throws {
        for _ in 0..<50 {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("condition never became true")
    }
}

/// Counts the calls whose handler task ran (interceptors run first in each).
private final class CallCounter: ServerInterceptor, Sendable {
    private let count = Mutex(0)
    var calls: Int { count.withLock { $0 } }

    func intercept(context: ServerContext, next: @Sendable (ServerContext) async throws -> Void) async throws {
        count.withLock { $0 += 1 }
        try await next(context)
    }
}
