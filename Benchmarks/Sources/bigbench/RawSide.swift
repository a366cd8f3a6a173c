// A raw SwiftNIO length-prefixed echo: no codec, no dispatch, no streams.
// The practical limit of a request/response protocol on NIO.
import NIOCore
import NIOPosix

/// Cuts `u32 length | payload` frames; emits each whole frame, prefix included.
final class RawFrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = ByteBuffer

    func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let length = buffer.getInteger(at: buffer.readerIndex, as: UInt32.self),
            buffer.readableBytes >= 4 + Int(length)
        else { return .needMoreData }
        context.fireChannelRead(wrapInboundOut(buffer.readSlice(length: 4 + Int(length))!))
        return .continue
    }
}

/// Writes every frame back; flushes once per read burst.
final class RawEchoHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.write(data, promise: nil)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        context.flush()
    }
}

enum RawEchoServer {
    static func start(port: Int) async throws -> any Channel {
        try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 4096)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(RawFrameDecoder()))
                    try channel.pipeline.syncOperations.addHandler(RawEchoHandler())
                }
            }
            .bind(host: "127.0.0.1", port: port)
            .get()
    }
}

/// The client end: requests are pipelined; responses come back in order.
final class RawClientHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = (ByteBuffer, EventLoopPromise<ByteBuffer>)
    typealias OutboundOut = ByteBuffer

    private var waiting = CircularBuffer<EventLoopPromise<ByteBuffer>>()

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let (bytes, response) = unwrapOutboundIn(data)
        waiting.append(response)
        context.writeAndFlush(wrapOutboundOut(bytes), promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        waiting.popFirst()?.succeed(unwrapInboundIn(data))
    }

    func channelInactive(context: ChannelHandlerContext) {
        while let promise = waiting.popFirst() { promise.fail(ChannelError.ioOnClosedChannel) }
        context.fireChannelInactive()
    }
}

final class RawEchoClient: EchoStack {
    let name = "raw NIO echo"
    private let channels: [any Channel]
    private let small: ByteBuffer
    private let large: ByteBuffer

    init(host: String, port: Int, connections: Int, smallSize: Int, largeSize: Int) async throws {
        var channels: [any Channel] = []
        for _ in 0..<connections {
            channels.append(
                try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                    .channelOption(.socketOption(.tcp_nodelay), value: 1)
                    .channelInitializer { channel in
                        channel.eventLoop.makeCompletedFuture {
                            try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(RawFrameDecoder()))
                            try channel.pipeline.syncOperations.addHandler(RawClientHandler())
                        }
                    }
                    .connect(host: host, port: port)
                    .get())
        }
        self.channels = channels
        func frame(_ size: Int) -> ByteBuffer {
            var buffer = ByteBuffer()
            buffer.writeInteger(UInt32(size))
            buffer.writeRepeatingByte(0xAB, count: size)
            return buffer
        }
        small = frame(smallSize)
        large = frame(largeSize)
    }

    func unary(connection: Int, large: Bool) async throws {
        let channel = channels[connection]
        let request = large ? self.large : small
        let promise = channel.eventLoop.makePromise(of: ByteBuffer.self)
        channel.writeAndFlush((request, promise), promise: nil)
        let response = try await promise.futureResult.get()
        precondition(response.readableBytes == request.readableBytes)
    }

    func stream(connection: Int, count: Int) async throws -> Int { 0 }

    func close() async {
        for channel in channels { try? await channel.close() }
    }
}

/// One echo implementation, seen from its client.
protocol EchoStack: AnyObject, Sendable {
    var name: String { get }
    func unary(connection: Int, large: Bool) async throws
    func stream(connection: Int, count: Int) async throws -> Int
    func close() async
}
