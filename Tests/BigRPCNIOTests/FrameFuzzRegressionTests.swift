import BigRPC
@testable import BigRPCNIO
import Foundation
import NIOCore
import Testing

/// Replays the minimized corpus of the frame-decoding fuzz harness
/// (`scripts/fuzz`): each input, split at the position its first byte picks,
/// must parse the same as whole, re-encode byte for byte, and drive the
/// server's connection state machine without a crash.
@Suite struct FrameFuzzRegressionTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/fuzz-frames")

    static var inputs: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).sorted()
    }

    @Test func theCorpusIsThere() {
        #expect(Self.inputs.count > 50)
    }

    @Test(arguments: inputs)
    func replays(_ name: String) throws {
        let handle = try FileHandle(forReadingFrom: Self.directory.appendingPathComponent(name))
        let data = [UInt8](try handle.readToEnd() ?? Data())
        try handle.close()
        guard let splitByte = data.first else { return }
        let bytes = Array(data.dropFirst())
        let parser = FrameParser(maxPayloadSize: 64 * 1024)
        let whole = parse(bytes, split: bytes.count, parser: parser)
        let split = parse(bytes, split: Int(splitByte) % (bytes.count + 1), parser: parser)
        #expect(whole.frames == split.frames)
        #expect(whole.failed == split.failed)

        var reencoded = ByteBuffer()
        for frame in whole.frames { FrameParser.write(frame, into: &reencoded) }
        #expect(Array(reencoded.readableBytesView) == Array(bytes.prefix(reencoded.readableBytes)))

        var machine = ServerConnectionStateMachine(configuration: .init(maxConcurrentStreams: 4))
        var closed = false
        for frame in whole.frames {
            let action = machine.receive(frame)
            if closed { #expect(action == .none) }
            if case .connectionError = action { closed = true }
        }
    }

    private func parse(_ bytes: [UInt8], split: Int, parser: FrameParser) -> (frames: [Frame], failed: Bool) {
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
