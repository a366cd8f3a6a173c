import BigRPC
import BigRPCCodec
import BigRPCProtos
import NIOCore
import Testing

@testable import BigRPCNIO

/// The client's connection state machine alone: stream ids, lazy HEADERS,
/// half-closing, and what the server's frames do.
@Suite struct ClientConnectionStateMachineTests {
    typealias Machine = ClientConnectionStateMachine

    private let headers = ByteBuffer(bytes: [0x0A, 0x03, 0x2F, 0x61, 0x62])

    private func trailers(_ id: UInt32, code: Int32 = 0) -> Frame {
        let payload = try! Bigrpc_V1_Status(code: code, message: "m", metadata: ["k": "v"]).serializedBytes()
        return Frame(type: .trailers, streamID: id, payload: ByteBuffer(bytes: payload))
    }

    private func goAway(last: UInt32, code: Int32 = 0) -> Frame {
        let payload = try! Bigrpc_V1_GoAway(lastStreamId: last, code: code, message: "bye").serializedBytes()
        return Frame(type: .goAway, streamID: 0, payload: ByteBuffer(bytes: payload))
    }

    @Test func headersLeaveWithTheFirstMessageAndIdsFollowTheirOrder() throws {
        var machine = Machine()
        let first = try machine.openStream(headers: headers)
        let second = try machine.openStream(headers: headers)
        // The second call writes first: it gets the first wire id.
        #expect(machine.send(second, endStream: false) == .init(streamID: 1, headers: headers))
        #expect(machine.send(second, endStream: false) == .init(streamID: 1, headers: nil))
        #expect(machine.send(first, endStream: true) == .init(streamID: 2, headers: headers))
        #expect(machine.streams[first] == .halfClosed(streamID: 2))
        #expect(machine.send(first, endStream: false) == nil, "nothing after the half-close")
    }

    @Test func readingFirstSendsTheHeadersOnce() throws {
        var machine = Machine()
        let call = try machine.openStream(headers: headers)
        #expect(machine.sendHeadersIfIdle(call) == .init(streamID: 1, headers: headers))
        #expect(machine.sendHeadersIfIdle(call) == nil)
        #expect(machine.send(call, endStream: true) == .init(streamID: 1, headers: nil))
    }

    @Test func halfCloseUsesHeadersBeforeAnyMessageAndHalfCloseAfter() throws {
        var machine = Machine()
        let silent = try machine.openStream(headers: headers)
        #expect(machine.halfClose(silent) == .headers(streamID: 1, headers))
        #expect(machine.halfClose(silent) == .none)
        let talker = try machine.openStream(headers: headers)
        _ = machine.send(talker, endStream: false)
        #expect(machine.halfClose(talker) == .halfCloseFrame(streamID: 2))
        #expect(machine.halfClose(talker) == .none)
    }

    @Test func aRevision10PeerGetsNoHalfClose() throws {
        var machine = Machine(sendsHalfClose: false)
        let call = try machine.openStream(headers: headers)
        _ = machine.send(call, endStream: false)
        #expect(machine.halfClose(call) == .unsupported)
        #expect(machine.streams[call] == .open(streamID: 1), "the call goes on")
        let silent = try machine.openStream(headers: headers)
        #expect(machine.halfClose(silent) == .headers(streamID: 2, headers))
    }

    @Test func endingACallCancelsItOnlyIfTheServerKnowsIt() throws {
        var machine = Machine()
        let unsent = try machine.openStream(headers: headers)
        #expect(machine.end(unsent) == .init(cancelStreamID: nil, closesConnection: false))
        let sent = try machine.openStream(headers: headers)
        _ = machine.send(sent, endStream: true)
        #expect(machine.end(sent) == .init(cancelStreamID: 1, closesConnection: false))
        #expect(machine.end(sent) == nil)
        #expect(machine.receive(Frame(type: .message, streamID: 1)) == .none, "a late response is ignored")
    }

    @Test func responsesAndTrailersAreRoutedToTheirCall() throws {
        var machine = Machine()
        let call = try machine.openStream(headers: headers)
        _ = machine.send(call, endStream: true)
        let payload = ByteBuffer(bytes: [8, 1])
        #expect(machine.receive(Frame(type: .message, streamID: 1, payload: payload)) == .deliverMessage(handle: call, payload))
        #expect(
            machine.receive(trailers(1, code: 5))
                == .deliverStatus(
                    handle: call, Status(code: .notFound, message: "m"), ["k": "v"], closesConnection: false
                ))
        #expect(machine.streams.isEmpty)
        #expect(machine.receive(trailers(1)) == .none)
    }

    @Test func trailersThatDoNotDecodeFailTheirCall() throws {
        var machine = Machine()
        let call = try machine.openStream(headers: headers)
        _ = machine.send(call, endStream: true)
        let action = machine.receive(Frame(type: .trailers, streamID: 1, payload: ByteBuffer(bytes: [0xFF])))
        guard case .failStream(call, _, closesConnection: false) = action else {
            Issue.record("expected failStream, got \(action)")
            return
        }
        #expect(machine.isUsable)
    }

    @Test func goAwayFailsTheCallsTheServerNeverSawAndDrains() throws {
        var machine = Machine()
        let seen = try machine.openStream(headers: headers)
        let unseen = try machine.openStream(headers: headers)
        let unsent = try machine.openStream(headers: headers)
        _ = machine.send(seen, endStream: true)  // id 1
        _ = machine.send(unseen, endStream: true)  // id 2
        #expect(
            machine.receive(goAway(last: 1, code: 14))
                == .goAway(
                    notProcessed: [unseen, unsent], code: .unavailable, message: "bye", closesConnection: false
                ))
        #expect(machine.state == .draining)
        #expect(throws: Machine.Unusable.draining) { try machine.openStream(headers: headers) }
        // The last call's status leaves the connection drained: close it.
        #expect(machine.receive(trailers(1)) == .deliverStatus(handle: seen, Status(code: .ok, message: "m"), ["k": "v"], closesConnection: true))
    }

    @Test func serverFramesAClientMustNotGetBreakTheConnection() throws {
        for frame in [
            Frame(type: .headers, streamID: 1), Frame(type: .cancel, streamID: 1),
            Frame(type: .halfClose, flags: .endStream, streamID: 1),
            Frame(type: .ping, streamID: 1, payload: ByteBuffer(bytes: [1, 2, 3, 4, 5, 6, 7, 8])),
            Frame(type: .ping, streamID: 0, payload: ByteBuffer(bytes: [1])),
            Frame(type: .goAway, streamID: 0, payload: ByteBuffer(bytes: [0xFF])),
        ] {
            var machine = Machine()
            guard case .connectionError(let violation) = machine.receive(frame) else {
                Issue.record("\(frame.type) accepted")
                continue
            }
            #expect(violation.code == .internal)
            #expect(machine.state == .closed)
            #expect(throws: Machine.Unusable.closed) { try machine.openStream(headers: headers) }
        }
    }

    @Test func pingsAreAnswered() {
        var machine = Machine()
        let payload = ByteBuffer(bytes: [1, 2, 3, 4, 5, 6, 7, 8])
        #expect(machine.receive(Frame(type: .ping, streamID: 0, payload: payload)) == .replyToPing(payload))
        #expect(machine.receive(Frame(type: .ping, flags: .ack, streamID: 0, payload: payload)) == .none)
    }

    @Test func exhaustedStreamIDsDrainTheConnection() throws {
        var machine = Machine(firstStreamID: UInt32.max - 2)
        let call = try machine.openStream(headers: headers)
        #expect(machine.send(call, endStream: true)?.streamID == UInt32.max - 2)
        #expect(throws: Machine.Unusable.streamIDsExhausted) { try machine.openStream(headers: headers) }
        #expect(machine.state == .draining)
    }

    @Test func closingForgetsEveryCall() throws {
        var machine = Machine()
        let a = try machine.openStream(headers: headers)
        let b = try machine.openStream(headers: headers)
        _ = machine.send(b, endStream: false)
        #expect(Set(machine.close()) == [a, b])
        #expect(machine.state == .closed)
        #expect(machine.receive(Frame(type: .message, streamID: 1)) == .none)
    }
}
