import BigRPC
import BigRPCNIO
import NIOCore

/// Frame decoding as a server sees it: the input is cut into frames by
/// `FrameParser`, delivered in two chunks split at a position the input
/// chooses, and each frame goes through the server's connection state
/// machine.
///
/// Oracles: nothing crashes; every frame the parser returns re-encodes to
/// exactly the bytes it came from; the parse does not depend on how the
/// bytes were split; once the state machine reports a connection error, it
/// stays closed.
enum FrameDecoding {
    static func run(_ data: UnsafeRawBufferPointer) {
        guard let splitByte = data.first else { return }
        let bytes = Array(data.dropFirst())
        let parser = FrameParser(maxPayloadSize: 64 * 1024)

        let whole = parse(bytes, split: bytes.count, parser: parser)
        let split = parse(bytes, split: Int(splitByte) % (bytes.count + 1), parser: parser)
        precondition(whole.frames == split.frames && whole.failed == split.failed, "parse depends on the split")

        var reencoded = ByteBuffer()
        for frame in whole.frames { FrameParser.write(frame, into: &reencoded) }
        precondition(Array(reencoded.readableBytesView) == Array(bytes.prefix(reencoded.readableBytes)), "re-encoding differs")

        var machine = ServerConnectionStateMachine(configuration: .init(maxConcurrentStreams: 4))
        var closed = false
        for frame in whole.frames {
            let action = machine.receive(frame)
            if closed {
                precondition(action == .none, "a closed connection acted on a frame")
            }
            if case .connectionError = action { closed = true }
            if case .openStream(let stream) = action, stream.streamID % 3 == 0 {
                _ = machine.streamEnded(stream.streamID)
            }
        }
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
