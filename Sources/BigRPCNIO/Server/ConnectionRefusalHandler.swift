import BigRPC
import BigRPCProtos
import NIOCore

/// The whole pipeline of a connection over a connection cap: it is accepted
/// (so the kernel's queue does not fill and stall everyone), told GOAWAY
/// RESOURCE_EXHAUSTED with the reason, and closed at once. What it sent is
/// never read.
final class ConnectionRefusalHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let message: String

    init(message: String) {
        self.message = message
    }

    func channelActive(context: ChannelHandlerContext) {
        let goAway = Bigrpc_V1_GoAway(lastStreamId: 0, code: StatusCode.resourceExhausted.rawValue, message: message)
        var bytes = context.channel.allocator.buffer(capacity: 64)
        FrameParser.write(
            Frame(type: .goAway, streamID: 0, payload: ByteBuffer(bytes: (try? goAway.serializedBytes()) ?? [])),
            into: &bytes
        )
        let loopBoundContext = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.writeAndFlush(wrapOutboundOut(bytes)).whenComplete { _ in
            loopBoundContext.value.close(promise: nil)
        }
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {}

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
