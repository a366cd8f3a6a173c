import BigRPC
import BigRPCNIO
import BigRPCProtos
import NIOCore

/// First on a TLS server connection: a client whose first byte is not a TLS
/// handshake record (0x16) speaks plain text, and would not understand a TLS
/// alert. It gets a plain-text GOAWAY (UNAVAILABLE, "this port requires TLS")
/// instead, and the connection closes. A TLS client's bytes pass on to the
/// TLS handler, and this handler leaves the pipeline.
///
/// After the GOAWAY the server stops sending but keeps reading (and dropping)
/// what the client still sends for a short while, so that closing does not
/// reset the connection before the client has read the GOAWAY.
final class PlainTextRefusalHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// The first byte of every TLS handshake record (content type 22).
    static let handshakeRecordType: UInt8 = 0x16
    static let message = "this port requires TLS"

    private enum State {
        case waitingForFirstByte
        case refused
    }

    private var state = State.waitingForFirstByte
    private let linger: TimeAmount
    private let onRefusal: @Sendable (_ firstByte: UInt8, _ peer: SocketAddress?) -> Void
    private var lingerTimer: Scheduled<Void>?

    init(linger: TimeAmount = .seconds(2), onRefusal: @escaping @Sendable (_ firstByte: UInt8, _ peer: SocketAddress?) -> Void) {
        self.linger = linger
        self.onRefusal = onRefusal
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .waitingForFirstByte = state else { return }  // refused: dropped
        let buffer = unwrapInboundIn(data)
        guard let first = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self) else { return }
        if first == Self.handshakeRecordType {
            context.fireChannelRead(data)
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
        } else {
            refuse(context: context, firstByte: first)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        lingerTimer?.cancel()
        lingerTimer = nil
        context.fireChannelInactive()
    }

    private func refuse(context: ChannelHandlerContext, firstByte: UInt8) {
        state = .refused
        onRefusal(firstByte, context.remoteAddress)
        let goAway = Bigrpc_V1_GoAway(lastStreamId: 0, code: StatusCode.unavailable.rawValue, message: Self.message)
        let payload = context.channel.allocator.buffer(bytes: (try? goAway.serializedBytes()) ?? [])
        var bytes = context.channel.allocator.buffer(capacity: Frame.headerSize + payload.readableBytes)
        FrameParser.write(Frame(type: .goAway, streamID: 0, payload: payload), into: &bytes)

        let loopBoundContext = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.writeAndFlush(wrapOutboundOut(bytes)).whenComplete { _ in
            // Half-close: the client reads the GOAWAY, then an end of stream.
            loopBoundContext.value.close(mode: .output, promise: nil)
        }
        lingerTimer = context.eventLoop.scheduleTask(in: linger) {
            loopBoundContext.value.close(promise: nil)
        }
    }
}
