import BigRPC
import BigRPCCodec
import BigRPCProtos
import NIOCore
import Testing

@testable import BigRPCNIO

/// Issue 11, finding 1: a `timeout_ms` of 9.3e12, 2^63-1 or UInt64.max used
/// to overflow when it became a timer and kill the process. Every step from
/// the wire to the timer now saturates, and the server caps the timeout.
@Suite struct TimeoutSaturationTests {
    static let hugeTimeouts: [UInt64] = [9_300_000_000_000, UInt64(Int64.max), .max, 2_592_000_001]

    @Test(arguments: hugeTimeouts)
    func theStateMachineCapsAWireTimeout(_ timeoutMs: UInt64) throws {
        var machine = ServerConnectionStateMachine()
        let payload = try Bigrpc_V1_RequestHeaders(method: "/s.S/M", timeoutMs: timeoutMs).serializedBytes()
        let action = machine.receive(Frame(type: .headers, streamID: 1, payload: ByteBuffer(bytes: payload)))
        guard case .openStream(let stream) = action else {
            Issue.record("expected the stream to open, got \(action)")
            return
        }
        #expect(stream.timeout == .maxTimeout)
        // What the dispatcher arms its timer with.
        #expect(TimeAmount(saturating: try #require(stream.timeout)).nanoseconds == 2_592_000 * 1_000_000_000)
    }

    @Test func aTimeoutUnderTheCapIsKept() {
        #expect(ServerConnectionStateMachine.timeout(milliseconds: 1) == .milliseconds(1))
        #expect(ServerConnectionStateMachine.timeout(milliseconds: 2_592_000_000) == .maxTimeout)
    }

    @Test func timeAmountsSaturate() {
        #expect(TimeAmount(saturating: .milliseconds(9_300_000_000_000)).nanoseconds == .max)
        #expect(TimeAmount(saturating: .seconds(Int64.min)).nanoseconds == .min)
        #expect(TimeAmount(saturating: .milliseconds(7)) == .milliseconds(7))
        // A saturated timer lies at NIO's end of time instead of trapping.
        #expect(NIODeadline.now() + TimeAmount(saturating: .seconds(Int64.max)) == .distantFuture)
    }

    @Test func theClientSendsAHugeTimeoutSaturated() {
        #expect(ClientConnectionHandler.milliseconds(.seconds(10_000_000_000)) == 10_000_000_000_000)
        #expect(ClientConnectionHandler.milliseconds(.seconds(Int64.max)) == .max)
        #expect(ClientConnectionHandler.milliseconds(.nanoseconds(1)) == 1)
        #expect(ClientConnectionHandler.milliseconds(.seconds(-3)) == 1)
    }
}
