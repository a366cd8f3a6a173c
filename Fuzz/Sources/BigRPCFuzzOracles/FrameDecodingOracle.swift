import BigRPC
import BigRPCNIO
import NIOCore

/// Frame decoding as a server sees it: the input's first byte picks a split
/// position; the rest is cut into frames by `FrameParser`, whole and in two
/// chunks split there, and each frame goes through the server's connection
/// state machine.
///
/// What must hold: the parse does not depend on the split; every frame the
/// parser returns re-encodes to exactly the bytes it came from; once the
/// state machine reports a connection error it acts on no further frame; a
/// stream's timeout, whatever `timeout_ms` said (up to `UInt64.max`), is at
/// most `Duration.maxTimeout` and becomes a timer and a deadline without
/// trapping (issue 11: 9.3e12 ms killed the server there); a quoted method
/// name is short. With the split byte's top bit set, large frames are
/// handed to the state machine as dropped (the server over its request byte
/// budget), exercising that path too.
/// The one oracle behind the libFuzzer harness (`bigrpc-fuzz`, byte 1) and
/// the replay of its corpus in the transport tests.
public enum FrameDecodingOracle {
    /// Each way `input` broke the rules above; empty when it did not.
    public static func check(_ input: [UInt8]) -> [String] {
        guard let splitByte = input.first else { return [] }
        let bytes = Array(input.dropFirst())
        let parser = FrameParser(maxPayloadSize: 64 * 1024)
        var violations: [String] = []

        let whole = parse(bytes, split: bytes.count, parser: parser)
        let split = parse(bytes, split: Int(splitByte) % (bytes.count + 1), parser: parser)
        if whole.frames != split.frames || whole.failed != split.failed {
            violations.append("parse depends on the split")
        }

        var reencoded = ByteBuffer()
        for frame in whole.frames { FrameParser.write(frame, into: &reencoded) }
        if Array(reencoded.readableBytesView) != Array(bytes.prefix(reencoded.readableBytes)) {
            violations.append("re-encoding differs")
        }

        var machine = ServerConnectionStateMachine(configuration: .init(maxConcurrentStreams: 4))
        var closed = false
        let dropsLargeFrames = splitByte & 0x80 != 0
        let busy = Status(code: .resourceExhausted, message: "server busy")
        for frame in whole.frames {
            let action: ServerConnectionStateMachine.Action
            if dropsLargeFrames, frame.payload.readableBytes >= 16 {
                action = machine.receiveDropped(
                    DroppedFrame(
                        type: frame.type, flags: frame.flags, streamID: frame.streamID,
                        payloadSize: frame.payload.readableBytes, status: busy
                    ))
            } else {
                action = machine.receive(frame)
            }
            if closed, action != .none {
                violations.append("a closed connection acted on a frame")
            }
            if case .connectionError = action { closed = true }
            if case .openStream(let stream) = action {
                violations += checkTimeout(stream.timeout)
                if Status.excerpt(stream.path).unicodeScalars.count > Status.excerptLimit + 1 {
                    violations.append("a quoted method name is longer than the excerpt limit")
                }
            }
            // End some streams, so the stream limit and ids are exercised.
            if case .openStream(let stream) = action, stream.streamID % 3 == 0 {
                _ = machine.streamEnded(stream.streamID)
            }
        }
        return violations
    }

    /// Arms what the server arms for a stream's timeout: its timer and the
    /// handler's deadline. A trap here is the crash the fuzzer reports.
    private static func checkTimeout(_ timeout: Duration?) -> [String] {
        guard let timeout else { return [] }
        guard timeout <= .maxTimeout, timeout > .zero else {
            return ["a stream's timeout of \(timeout) is outside (0, maxTimeout]"]
        }
        let timer = NIODeadline.now() + TimeAmount(saturating: timeout)
        let deadline = ContinuousClock.now + timeout
        guard timer > .now(), deadline > .now else { return ["a timeout's deadline is not in the future"] }
        return []
    }

    private static func parse(_ bytes: [UInt8], split: Int, parser: FrameParser) -> (frames: [Frame], failed: Bool) {
        var buffer = ByteBuffer()
        var frames: [Frame] = []
        for chunk in [bytes[..<split], bytes[split...]] {
            buffer.writeBytes(chunk)
            do {
                while let frame = try parser.parse(&buffer) { frames.append(frame) }
            } catch {
                return (frames, true)
            }
        }
        return (frames, false)
    }
}
