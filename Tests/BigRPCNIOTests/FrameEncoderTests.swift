import NIOCore
import NIOEmbedded
import Testing

@testable import BigRPCNIO

/// The outbound framing handler: frames between two flushes leave as one buffer.
@Suite struct FrameEncoderTests {
    private let frames: [Frame] = [
        Frame(type: .headers, streamID: 1, payload: ByteBuffer(bytes: [0x0A, 0x01, 0x2F])),
        Frame(type: .message, streamID: 1, payload: ByteBuffer(bytes: Array(0..<100))),
        Frame(type: .trailers, flags: .endStream, streamID: 1),
    ]

    private func encoded(_ frames: [Frame]) -> [UInt8] {
        var buffer = ByteBuffer()
        for frame in frames { FrameParser.write(frame, into: &buffer) }
        return Array(buffer.readableBytesView)
    }

    private func makeChannel() throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(FrameEncoder())
        return channel
    }

    @Test func framesWrittenBetweenFlushesLeaveAsOneBuffer() throws {
        let channel = try makeChannel()
        for frame in frames { channel.write(frame, promise: nil) }
        #expect(try channel.readOutbound(as: ByteBuffer.self) == nil, "nothing leaves before the flush")
        channel.flush()
        let buffer = try #require(try channel.readOutbound(as: ByteBuffer.self))
        #expect(Array(buffer.readableBytesView) == encoded(frames))
        #expect(try channel.readOutbound(as: ByteBuffer.self) == nil)
        _ = try channel.finish()
    }

    @Test func aFrameWithAPromiseLeavesAfterWhatWasPendingAndCompletesIt() throws {
        let channel = try makeChannel()
        channel.write(frames[0], promise: nil)
        let promise = channel.eventLoop.makePromise(of: Void.self)
        channel.write(frames[1], promise: promise)
        channel.write(frames[2], promise: nil)
        channel.flush()
        var written: [UInt8] = []
        var buffers = 0
        while let buffer = try channel.readOutbound(as: ByteBuffer.self) {
            written += buffer.readableBytesView
            buffers += 1
        }
        #expect(written == encoded(frames), "order kept")
        #expect(buffers == 3, "pending, the promised frame alone, then the rest")
        #expect(throws: Never.self) { try promise.futureResult.wait() }
        _ = try channel.finish()
    }

    @Test func aLargeBurstGoesToTheChannelBeforeTheFlush() throws {
        let channel = try makeChannel()
        let big = Frame(type: .message, streamID: 3, payload: ByteBuffer(bytes: [UInt8](repeating: 7, count: 16 * 1024)))
        for _ in 0..<8 { channel.write(big, promise: nil) }
        channel.flush()
        var written: [UInt8] = []
        var buffers = 0
        while let buffer = try channel.readOutbound(as: ByteBuffer.self) {
            written += buffer.readableBytesView
            buffers += 1
        }
        #expect(written == encoded(Array(repeating: big, count: 8)))
        // Past 64 KiB pending the handler hands its buffer on instead of
        // growing it: the channel (and its writability) sees large bursts.
        #expect(buffers == 2, "split at the 64 KiB cap")
        _ = try channel.finish()
    }
}
