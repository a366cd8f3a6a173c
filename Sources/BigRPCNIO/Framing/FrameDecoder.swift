import BigRPC
import NIOCore

/// The inbound half of framing: bytes in, ``Frame``s out.
///
/// Besides parsing, it enforces the read timeout: a frame whose first byte
/// has arrived must be complete within `readTimeout`, so a peer cannot hold a
/// connection open by trickling half a frame. A timeout or a malformed header
/// is reported as a ``ProtocolViolation`` through `errorCaught`.
///
/// On a server it also counts a large frame still arriving against the
/// process's ``RequestByteBudget`` (its announced size, from its header):
/// many connections each sending most of a 4 MiB frame hold that memory as
/// surely as finished requests do. A frame the budget cannot take is never
/// buffered: the decoder reports it as a ``DroppedFrame`` (a user inbound
/// event; the connection handler fails its stream with RESOURCE_EXHAUSTED)
/// and skips its payload as it arrives.
final class FrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = Frame

    /// Frames at least this large are counted while they arrive; smaller
    /// ones are bounded well enough by the connection count.
    static let countedPartialFrameSize = 16 * 1024

    private let parser: FrameParser
    private let readTimeout: TimeAmount?
    private var partialFrameTimer: Scheduled<Void>?
    private let budget: RequestByteBudget?
    /// Bytes of the frame now arriving counted against `budget`.
    private var reserved = 0
    /// Payload bytes of a dropped frame still to skip.
    private var discarding = 0

    init(maxPayloadSize: Int, readTimeout: TimeAmount?, budget: RequestByteBudget? = nil) {
        self.parser = FrameParser(maxPayloadSize: maxPayloadSize)
        self.readTimeout = readTimeout
        self.budget = budget
    }

    func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        if discarding > 0 {
            let skipped = min(discarding, buffer.readableBytes)
            buffer.moveReaderIndex(forwardBy: skipped)
            discarding -= skipped
            guard discarding == 0 else { return .needMoreData }
            partialFrameTimer?.cancel()
            partialFrameTimer = nil
            return .continue
        }
        guard let frame = try parser.parse(&buffer) else {
            guard buffer.readableBytes > 0 else { return .needMoreData }
            armTimer(context: context)
            if let dropped = reserveOrDropPartialFrame(&buffer) {
                discarding = dropped.payloadSize
                context.fireUserInboundEventTriggered(dropped)
                return .continue
            }
            return .needMoreData
        }
        // A whole frame arrived: the next one (if already started) gets a fresh timer.
        partialFrameTimer?.cancel()
        partialFrameTimer = nil
        releasePartialFrame()
        context.fireChannelRead(wrapInboundOut(frame))
        return .continue
    }

    func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        partialFrameTimer?.cancel()
        partialFrameTimer = nil
        releasePartialFrame()
        if discarding > 0 {
            let skipped = min(discarding, buffer.readableBytes)
            buffer.moveReaderIndex(forwardBy: skipped)
            discarding -= skipped
            guard discarding == 0 else { return .needMoreData }
        }
        while let frame = try parser.parse(&buffer) {
            context.fireChannelRead(wrapInboundOut(frame))
        }
        return .needMoreData
    }

    func decoderRemoved(context: ChannelHandlerContext) {
        partialFrameTimer?.cancel()
        partialFrameTimer = nil
        releasePartialFrame()
    }

    /// Counts the frame at the front of `buffer`, not yet whole, once. When
    /// the budget cannot take it, consumes its header and returns it as
    /// dropped (its payload is then skipped). The parser has checked the
    /// header (length within the maximum, a known type).
    private func reserveOrDropPartialFrame(_ buffer: inout ByteBuffer) -> DroppedFrame? {
        guard reserved == 0, let budget,
            let length = buffer.getInteger(at: buffer.readerIndex, as: UInt32.self)
        else { return nil }
        let size = Int(length) - Frame.lengthCoveredHeaderSize
        guard size >= FrameDecoder.countedPartialFrameSize else { return nil }
        if budget.reserve(size) {
            reserved = size
            return nil
        }
        // The whole header is needed to say which stream loses the frame.
        guard buffer.readableBytes >= Frame.headerSize,
            let rawType = buffer.getInteger(at: buffer.readerIndex + 4, as: UInt8.self),
            let type = FrameType(rawValue: rawType),
            let flags = buffer.getInteger(at: buffer.readerIndex + 5, as: UInt8.self),
            let streamID = buffer.getInteger(at: buffer.readerIndex + 6, as: UInt32.self)
        else { return nil }
        buffer.moveReaderIndex(forwardBy: Frame.headerSize)
        return DroppedFrame(
            type: type,
            flags: FrameFlags(rawValue: flags),
            streamID: streamID,
            payloadSize: size,
            status: budget.busyStatus
        )
    }

    private func releasePartialFrame() {
        guard reserved > 0 else { return }
        budget?.release(reserved)
        reserved = 0
    }

    private func armTimer(context: ChannelHandlerContext) {
        guard partialFrameTimer == nil, let readTimeout else { return }
        let loopBoundContext = NIOLoopBound(context, eventLoop: context.eventLoop)
        partialFrameTimer = context.eventLoop.scheduleTask(in: readTimeout) {
            loopBoundContext.value.fireErrorCaught(
                ProtocolViolation(.internal, "a frame did not arrive whole within \(readTimeout)")
            )
        }
    }
}

/// A frame the server did not buffer because the process's request byte
/// budget could not take it: its header, and the status its stream gets.
package struct DroppedFrame: Sendable {
    package var type: FrameType
    package var flags: FrameFlags
    package var streamID: UInt32
    package var payloadSize: Int
    package var status: Status

    package init(type: FrameType, flags: FrameFlags, streamID: UInt32, payloadSize: Int, status: Status) {
        self.type = type
        self.flags = flags
        self.streamID = streamID
        self.payloadSize = payloadSize
        self.status = status
    }
}

/// The outbound half of framing: ``Frame``s in, bytes out.
///
/// Frames written between two flushes are encoded back to back into one
/// buffer that goes to the channel at the flush: one allocation and one
/// buffer per flush instead of one per frame (`MessageToByteHandler` copied
/// every frame into a buffer of its own). A frame written with a promise is
/// not held back: what is pending goes first, then that frame on its own, so
/// its promise completes when its bytes are written. Past `maxPendingBytes`
/// the pending buffer goes to the channel early, so the channel's
/// writability still sees large bursts.
final class FrameEncoder: ChannelOutboundHandler {
    typealias OutboundIn = Frame
    typealias OutboundOut = ByteBuffer

    private static let initialCapacity = 1024
    private static let maxPendingBytes = 64 * 1024
    private var pending: ByteBuffer?

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let frame = unwrapOutboundIn(data)
        guard promise == nil else {
            writePending(context: context)
            var buffer = context.channel.allocator.buffer(capacity: Frame.headerSize + frame.payload.readableBytes)
            FrameParser.write(frame, into: &buffer)
            context.write(wrapOutboundOut(buffer), promise: promise)
            return
        }
        if pending == nil {
            pending = context.channel.allocator.buffer(
                capacity: max(FrameEncoder.initialCapacity, Frame.headerSize + frame.payload.readableBytes)
            )
        }
        FrameParser.write(frame, into: &pending!)
        if pending!.readableBytes >= FrameEncoder.maxPendingBytes {
            writePending(context: context)
        }
    }

    func flush(context: ChannelHandlerContext) {
        writePending(context: context)
        context.flush()
    }

    private func writePending(context: ChannelHandlerContext) {
        guard let buffer = pending else { return }
        pending = nil
        context.write(wrapOutboundOut(buffer), promise: nil)
    }
}
