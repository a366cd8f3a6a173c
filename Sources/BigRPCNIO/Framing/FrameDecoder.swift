import NIOCore

/// The inbound half of framing: bytes in, ``Frame``s out.
///
/// Besides parsing, it enforces the read timeout: a frame whose first byte
/// has arrived must be complete within `readTimeout`, so a peer cannot hold a
/// connection open by trickling half a frame. A timeout or a malformed header
/// is reported as a ``ProtocolViolation`` through `errorCaught`.
final class FrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = Frame

    private let parser: FrameParser
    private let readTimeout: TimeAmount?
    private var partialFrameTimer: Scheduled<Void>?

    init(maxPayloadSize: Int, readTimeout: TimeAmount?) {
        self.parser = FrameParser(maxPayloadSize: maxPayloadSize)
        self.readTimeout = readTimeout
    }

    func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let frame = try parser.parse(&buffer) else {
            if buffer.readableBytes > 0 { armTimer(context: context) }
            return .needMoreData
        }
        // A whole frame arrived: the next one (if already started) gets a fresh timer.
        partialFrameTimer?.cancel()
        partialFrameTimer = nil
        context.fireChannelRead(wrapInboundOut(frame))
        return .continue
    }

    func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        partialFrameTimer?.cancel()
        partialFrameTimer = nil
        while let frame = try parser.parse(&buffer) {
            context.fireChannelRead(wrapInboundOut(frame))
        }
        return .needMoreData
    }

    func decoderRemoved(context: ChannelHandlerContext) {
        partialFrameTimer?.cancel()
        partialFrameTimer = nil
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
