import BigRPC
import BigRPCCodec
import BigRPCProtos
import NIOCore
import Testing

@testable import BigRPCNIO

@Suite struct ServerConnectionStateMachineTests {
    private func headers(_ id: UInt32, path: String = "/s.S/M", timeoutMs: UInt64 = 0, endStream: Bool = false) -> Frame {
        let payload = try! Bigrpc_V1_RequestHeaders(method: path, metadata: ["k": "v"], timeoutMs: timeoutMs).serializedBytes()
        return Frame(type: .headers, flags: endStream ? .endStream : [], streamID: id, payload: ByteBuffer(bytes: payload))
    }

    private func message(_ id: UInt32, endStream: Bool = false) -> Frame {
        Frame(type: .message, flags: endStream ? .endStream : [], streamID: id, payload: ByteBuffer(bytes: [8, 1]))
    }

    private func isConnectionError(_ action: ServerConnectionStateMachine.Action, _ code: StatusCode = .internal) -> Bool {
        if case .connectionError(let violation) = action { return violation.code == code }
        return false
    }

    @Test func opensStreamsWithTheirHeaders() {
        var machine = ServerConnectionStateMachine()
        let action = machine.receive(headers(1, timeoutMs: 250, endStream: true))
        #expect(action == .openStream(.init(streamID: 1, path: "/s.S/M", metadata: ["k": "v"], timeout: .milliseconds(250), endStream: true)))
        #expect(machine.openStreamCount == 1)
    }

    @Test func streamIDsMustIncrease() {
        var machine = ServerConnectionStateMachine()
        _ = machine.receive(headers(5))
        #expect(isConnectionError(machine.receive(headers(5))))
        var other = ServerConnectionStateMachine()
        _ = other.receive(headers(5))
        #expect(isConnectionError(other.receive(headers(3))))
        var zero = ServerConnectionStateMachine()
        #expect(isConnectionError(zero.receive(headers(0))))
    }

    @Test func headersThatDoNotDecodeAreAConnectionError() {
        var machine = ServerConnectionStateMachine()
        let frame = Frame(type: .headers, streamID: 1, payload: ByteBuffer(bytes: [0xFF, 0xFF]))
        #expect(isConnectionError(machine.receive(frame)))
        #expect(machine.state == .closed)
        #expect(machine.receive(headers(2)) == .none)
    }

    @Test func messagesFollowTheStreamState() {
        var machine = ServerConnectionStateMachine()
        _ = machine.receive(headers(1))
        #expect(machine.receive(message(1)) == .deliverMessage(1, ByteBuffer(bytes: [8, 1]), endStream: false))
        #expect(machine.receive(message(1, endStream: true)) == .deliverMessage(1, ByteBuffer(bytes: [8, 1]), endStream: true))
        // After END_STREAM on a stream still open: a stream error, 13.
        #expect(machine.receive(message(1)) == .failStream(1, Status(code: .internal, message: "MESSAGE after END_STREAM")))
        // Now ended: further frames for it are ignored.
        #expect(machine.receive(message(1)) == .none)
        #expect(machine.receive(Frame(type: .cancel, streamID: 1)) == .none)
    }

    @Test func messageOrCancelOnUnopenedStreamsIsAConnectionError() {
        for type in [FrameType.message, .cancel] {
            var onZero = ServerConnectionStateMachine()
            #expect(isConnectionError(onZero.receive(Frame(type: type, streamID: 0))))
            var aboveHighest = ServerConnectionStateMachine()
            _ = aboveHighest.receive(headers(3))
            #expect(isConnectionError(aboveHighest.receive(Frame(type: type, streamID: 4))))
        }
    }

    // MARK: HALF_CLOSE (wire revision 1.1)

    private func halfClose(_ id: UInt32) -> Frame {
        Frame(type: .halfClose, flags: .endStream, streamID: id)
    }

    @Test func halfCloseEndsTheRequestsAfterMessages() {
        var machine = ServerConnectionStateMachine()
        _ = machine.receive(headers(1))
        _ = machine.receive(message(1))
        #expect(machine.receive(halfClose(1)) == .endRequests(1))
        #expect(machine.isOpen(1), "the handler still answers")
        #expect(machine.receive(message(1)) == .failStream(1, Status(code: .internal, message: "MESSAGE after END_STREAM")))
    }

    @Test func halfCloseOnAHalfClosedStreamIsAStreamError() {
        var machine = ServerConnectionStateMachine()
        _ = machine.receive(headers(1, endStream: true))
        #expect(machine.receive(halfClose(1)) == .failStream(1, Status(code: .internal, message: "HALF_CLOSE after END_STREAM")))
        #expect(!machine.isOpen(1))
        #expect(machine.receive(halfClose(1)) == .none, "an ended stream ignores it")
        #expect(machine.state == .active)
    }

    @Test func halfCloseWithAPayloadOrWithoutEndStreamIsAConnectionError() {
        var withPayload = ServerConnectionStateMachine()
        _ = withPayload.receive(headers(1))
        #expect(isConnectionError(withPayload.receive(Frame(type: .halfClose, flags: .endStream, streamID: 1, payload: ByteBuffer(bytes: [0])))))
        var withoutFlag = ServerConnectionStateMachine()
        _ = withoutFlag.receive(headers(1))
        #expect(isConnectionError(withoutFlag.receive(Frame(type: .halfClose, streamID: 1))))
    }

    @Test func halfCloseOnUnopenedStreamsIsAConnectionError() {
        var onZero = ServerConnectionStateMachine()
        #expect(isConnectionError(onZero.receive(halfClose(0))))
        var aboveHighest = ServerConnectionStateMachine()
        _ = aboveHighest.receive(headers(3))
        #expect(isConnectionError(aboveHighest.receive(halfClose(4))))
    }

    @Test func cancelEndsTheStream() {
        var machine = ServerConnectionStateMachine()
        _ = machine.receive(headers(1))
        #expect(machine.receive(Frame(type: .cancel, streamID: 1)) == .cancelStream(1))
        #expect(!machine.isOpen(1))
        #expect(machine.receive(message(1)) == .none)
    }

    @Test func clientsMayNotSendTrailersOrGoAway() {
        for type in [FrameType.trailers, .goAway] {
            var machine = ServerConnectionStateMachine()
            _ = machine.receive(headers(1))
            #expect(isConnectionError(machine.receive(Frame(type: type, streamID: type == .goAway ? 0 : 1))))
        }
    }

    @Test func pingsAreAnsweredAndChecked() {
        var machine = ServerConnectionStateMachine()
        let payload = ByteBuffer(bytes: [1, 2, 3, 4, 5, 6, 7, 8])
        #expect(machine.receive(Frame(type: .ping, streamID: 0, payload: payload)) == .replyToPing(payload))
        #expect(machine.receive(Frame(type: .ping, flags: .ack, streamID: 0, payload: payload)) == .none)
        var onStream = ServerConnectionStateMachine()
        #expect(isConnectionError(onStream.receive(Frame(type: .ping, streamID: 1, payload: payload))))
        var shortPayload = ServerConnectionStateMachine()
        #expect(isConnectionError(shortPayload.receive(Frame(type: .ping, streamID: 0, payload: ByteBuffer(bytes: [1])))))
    }

    @Test func refusesStreamsOverTheConcurrencyLimit() {
        var machine = ServerConnectionStateMachine(configuration: .init(maxConcurrentStreams: 2))
        _ = machine.receive(headers(1))
        _ = machine.receive(headers(3))
        guard case .refuseStream(5, let status) = machine.receive(headers(5)) else {
            Issue.record("expected a refusal")
            return
        }
        #expect(status.code == .resourceExhausted)
        let closes = machine.streamEnded(1)
        #expect(!closes)
        if case .openStream = machine.receive(headers(7)) {} else { Issue.record("expected stream 7 to open") }
    }

    @Test func drainingRefusesNewStreamsAndClosesWhenDone() {
        var machine = ServerConnectionStateMachine()
        _ = machine.receive(headers(1))
        #expect(machine.beginDraining() == 1)
        #expect(machine.beginDraining() == nil)
        guard case .refuseStream(3, let status) = machine.receive(headers(3)) else {
            Issue.record("expected a refusal")
            return
        }
        #expect(status.code == .unavailable)
        // The stream opened before GOAWAY still works.
        #expect(machine.receive(message(1, endStream: true)) == .deliverMessage(1, ByteBuffer(bytes: [8, 1]), endStream: true))
        #expect(!machine.isDrained)
        let closes = machine.streamEnded(1)
        #expect(closes)
    }
}
