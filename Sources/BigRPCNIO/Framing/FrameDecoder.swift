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
final class FrameEncoder: MessageToByteEncoder {
    typealias OutboundIn = Frame

    func encode(data: Frame, out: inout ByteBuffer) throws {
        FrameParser.write(data, into: &out)
    }
}
