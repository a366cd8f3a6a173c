import BigRPC
import NIOCore
import Testing

@testable import BigRPCNIO

@Suite struct FrameParserTests {
    private func encoded(_ frames: [Frame]) -> ByteBuffer {
        var buffer = ByteBuffer()
        for frame in frames { FrameParser.write(frame, into: &buffer) }
        return buffer
    }

    private let sample: [Frame] = [
        Frame(type: .headers, streamID: 1, payload: ByteBuffer(bytes: [0x0A, 0x03, 0x2F, 0x61, 0x62])),
        Frame(type: .message, flags: .endStream, streamID: 1, payload: ByteBuffer(bytes: Array(0..<200))),
        Frame(type: .message, streamID: 3),  // an empty message is a message
        Frame(type: .ping, streamID: 0, payload: ByteBuffer(bytes: [1, 2, 3, 4, 5, 6, 7, 8])),
        Frame(type: .cancel, flags: FrameFlags(rawValue: 0xFE), streamID: 0xFFFF_FFFF),
        Frame(type: .halfClose, flags: .endStream, streamID: 3),
    ]

    @Test func encodesTheHeaderByteForByte() {
        let frame = Frame(type: .message, flags: .endStream, streamID: 0x0102_0304, payload: ByteBuffer(bytes: [0xAA, 0xBB]))
        #expect(Array(encoded([frame]).readableBytesView) == [0, 0, 0, 8, 0x02, 0x01, 1, 2, 3, 4, 0xAA, 0xBB])
    }

    @Test func decodesFramesSplitAtEveryPosition() throws {
        let whole = encoded(sample)
        let bytes = Array(whole.readableBytesView)
        for split in 0...bytes.count {
            var parsed: [Frame] = []
            var buffer = ByteBuffer()
            for chunk in [bytes[..<split], bytes[split...]] {
                buffer.writeBytes(chunk)
                while let frame = try FrameParser().parse(&buffer) { parsed.append(frame) }
            }
            #expect(parsed == sample, "split at \(split)")
            #expect(buffer.readableBytes == 0)
        }
    }

    @Test func decodesFramesArrivingOneByteAtATime() throws {
        var buffer = ByteBuffer()
        var parsed: [Frame] = []
        for byte in encoded(sample).readableBytesView {
            buffer.writeInteger(byte)
            while let frame = try FrameParser().parse(&buffer) { parsed.append(frame) }
        }
        #expect(parsed == sample)
    }

    @Test func refusesALengthShorterThanTheHeader() {
        var buffer = ByteBuffer(bytes: [0, 0, 0, 5, 0x02, 0, 0, 0, 0])
        #expect(throws: ProtocolViolation(.internal, "frame length 5 is shorter than its header")) {
            try FrameParser().parse(&buffer)
        }
    }

    @Test func refusesAnOversizeFrameFromItsFirstFourBytes() {
        // Only the length field has arrived: the parser must not wait for 4 GiB.
        var buffer = ByteBuffer(bytes: [0xFF, 0xFF, 0xFF, 0xFF])
        #expect(throws: ProtocolViolation.self) { try FrameParser().parse(&buffer) }
        var justOver = ByteBuffer(bytes: [0, 0, 0, 6 + 101])
        do {
            _ = try FrameParser(maxPayloadSize: 100).parse(&justOver)
            Issue.record("expected a violation")
        } catch {
            #expect(error.code == .resourceExhausted)
        }
        var atLimit = ByteBuffer(bytes: [0, 0, 0, 6 + 100, 0x02])
        #expect(throws: Never.self) { try FrameParser(maxPayloadSize: 100).parse(&atLimit) }
    }

    @Test func checksTheLengthBeforeTheType() {
        // Both wrong: too short wins over the unknown type 0x09.
        var buffer = ByteBuffer(bytes: [0, 0, 0, 2, 0x09])
        #expect(throws: ProtocolViolation(.internal, "frame length 2 is shorter than its header")) {
            try FrameParser().parse(&buffer)
        }
        // Both wrong: oversize wins over the unknown type.
        var oversize = ByteBuffer(bytes: [0x7F, 0, 0, 0, 0x09])
        do {
            _ = try FrameParser().parse(&oversize)
            Issue.record("expected a violation")
        } catch {
            #expect(error.code == .resourceExhausted)
        }
    }

    @Test func decodesHalfClose() throws {
        // Type 0x07 (wire revision 1.1): empty, END_STREAM.
        var buffer = ByteBuffer(bytes: [0, 0, 0, 6, 0x07, 0x01, 0, 0, 0, 5])
        #expect(try FrameParser().parse(&buffer) == Frame(type: .halfClose, flags: .endStream, streamID: 5))
    }

    @Test func refusesAnUnknownTypeFromItsFifthByte() {
        for type: UInt8 in [0x00, 0x08, 0x7F, 0xFF] {
            var buffer = ByteBuffer(bytes: [0, 0, 0, 6, type])
            do {
                _ = try FrameParser().parse(&buffer)
                Issue.record("type \(type) accepted")
            } catch {
                #expect(error.code == .internal)
            }
        }
    }

    @Test func keepsPartialFramesBuffered() throws {
        var buffer = encoded([sample[1]])
        let full = buffer.readableBytes
        buffer.moveWriterIndex(to: buffer.writerIndex - 1)
        #expect(try FrameParser().parse(&buffer) == nil)
        #expect(buffer.readableBytes == full - 1)
    }
}
