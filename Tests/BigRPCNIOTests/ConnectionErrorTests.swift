import BigRPC
import BigRPCCodec
import BigRPCProtos
import BigRPCTestingProtos
import NIOCore
import Testing

@testable import BigRPCNIO

/// Every connection error of the protocol, over real TCP: the offending
/// connection gets GOAWAY with the right code and is closed, while the
/// server and its other connections carry on.
@Suite struct ConnectionErrorTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let code: StatusCode
        let send: @Sendable (RawConnection) async throws -> Void
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "unknown frame type", code: .internal) { try await $0.send([0, 0, 0, 6, 0x42, 0, 0, 0, 0, 1]) },
        Case(name: "length below 6", code: .internal) { try await $0.send([0, 0, 0, 3, 0x02, 0, 0]) },
        Case(name: "payload over the maximum", code: .resourceExhausted) { try await $0.send([0x7F, 0xFF, 0xFF, 0xFF]) },
        Case(name: "HEADERS on stream 0", code: .internal) { try await $0.open(0, "/bigrpc.test.Probe/Echo") },
        Case(name: "non-increasing stream id", code: .internal) { connection in
            try await connection.open(5, "/bigrpc.test.Probe/Echo", endStream: true)
            try await connection.open(5, "/bigrpc.test.Probe/Echo", endStream: true)
        },
        Case(name: "decreasing stream id", code: .internal) { connection in
            try await connection.open(7, "/bigrpc.test.Probe/Echo", endStream: true)
            try await connection.open(3, "/bigrpc.test.Probe/Echo", endStream: true)
        },
        Case(name: "HEADERS that do not decode", code: .internal) {
            try await $0.send(Frame(type: .headers, streamID: 1, payload: ByteBuffer(bytes: [0x0A, 0xFF])))
        },
        Case(name: "PING on a stream", code: .internal) {
            try await $0.send(Frame(type: .ping, streamID: 1, payload: ByteBuffer(repeating: 1, count: 8)))
        },
        Case(name: "PING payload not 8 bytes", code: .internal) {
            try await $0.send(Frame(type: .ping, streamID: 0, payload: ByteBuffer(repeating: 1, count: 7)))
        },
        Case(name: "MESSAGE on stream 0", code: .internal) { try await $0.send(Frame(type: .message, streamID: 0)) },
        Case(name: "MESSAGE above the highest stream", code: .internal) { connection in
            try await connection.open(1, "/bigrpc.test.Probe/Sleep")
            try await connection.send(Frame(type: .message, streamID: 3))
        },
        Case(name: "CANCEL on stream 0", code: .internal) { try await $0.send(Frame(type: .cancel, streamID: 0)) },
        Case(name: "CANCEL above the highest stream", code: .internal) { try await $0.send(Frame(type: .cancel, streamID: 9)) },
        Case(name: "TRAILERS from a client", code: .internal) { connection in
            try await connection.open(1, "/bigrpc.test.Probe/Sleep")
            try await connection.send(Frame(type: .trailers, streamID: 1))
        },
        Case(name: "GOAWAY from a client", code: .internal) { try await $0.send(Frame(type: .goAway, streamID: 0)) },
    ]

    @Test(arguments: cases)
    func closesOnlyTheOffendingConnection(_ testCase: Case) async throws {
        let probe = ProbeService()
        try await withTestServer(services: [probe]) { server in
            let client = server.client()
            // A call in flight on another connection must survive.
            async let survivor = client.unary(
                request: Bigrpc_Testing_V1_SimpleRequest(responseSize: 300, payload: Array("survivor".utf8)),
                method: ProbeService.sleep,
                responseType: Bigrpc_Testing_V1_SimpleResponse.self
            )
            #expect(await probe.waitFor(.started("survivor")))

            let offender = try await RawConnection(port: server.port)
            try await testCase.send(offender)
            let goAway = try await offender.goAwayThenClose()
            #expect(goAway?.code == testCase.code.rawValue, "\(testCase.name): \(String(describing: goAway))")

            #expect(try await survivor.message.payload == Array("survivor".utf8))
            // New connections are still served.
            let fresh = try await server.client().unary(
                request: Bigrpc_Testing_V1_SimpleRequest(payload: [1, 2, 3]),
                method: ProbeService.echo,
                responseType: Bigrpc_Testing_V1_SimpleResponse.self
            )
            #expect(try fresh.message.payload == [1, 2, 3])
        }
    }

    @Test func reportsTheHighestStreamInGoAway() async throws {
        try await withTestServer(services: [ProbeService()]) { server in
            let connection = try await RawConnection(port: server.port)
            try await connection.open(3, "/bigrpc.test.Probe/Echo")
            try await connection.send([0, 0, 0, 6, 0x42, 0, 0, 0, 0, 0])
            let goAway = try await connection.goAwayThenClose()
            #expect(goAway?.lastStreamId == 3)
        }
    }
}
