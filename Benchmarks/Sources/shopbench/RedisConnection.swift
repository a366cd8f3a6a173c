// A minimal RESP (Redis protocol) client over SwiftNIO, so that Redis is
// driven by the same load generator, the same event loops and the same
// closed loop of async workers as BigShop (one connection per worker, one
// request in flight on it), rather than by redis-benchmark's C.
import NIOCore
import NIOPosix

/// A RESP reply: what the check-and-decrement script and the setup commands answer.
enum RedisReply: Sendable, Equatable {
    case integer(Int64)
    case string(String)
    case error(String)
    case null
}

struct RedisError: Error, CustomStringConvertible {
    let description: String
}

/// One connection to redis-server; requests are answered in order.
final class RedisConnection: Sendable {
    private let channel: any Channel

    private init(channel: any Channel) { self.channel = channel }

    static func connect(host: String, port: Int) async throws -> RedisConnection {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(RESPHandler()) }
            }
            .connect(host: host, port: port).get()
        return RedisConnection(channel: channel)
    }

    /// Sends one command (an array of bulk strings) and waits for its reply.
    func send(_ arguments: [String]) async throws -> RedisReply {
        var buffer = channel.allocator.buffer(capacity: 64)
        buffer.writeString("*\(arguments.count)\r\n")
        for argument in arguments {
            buffer.writeString("$\(argument.utf8.count)\r\n")
            buffer.writeString(argument)
            buffer.writeString("\r\n")
        }
        return try await send(encoded: buffer)
    }

    /// Sends a command already in RESP (built once, sent many times).
    func send(encoded: ByteBuffer) async throws -> RedisReply {
        let reply = channel.eventLoop.makePromise(of: RedisReply.self)
        channel.writeAndFlush(RESPHandler.Request(bytes: encoded, reply: reply), promise: nil)
        return try await reply.futureResult.get()
    }

    func close() async {
        try? await channel.close()
    }
}

/// Writes requests, and completes their promises in order as replies arrive.
private final class RESPHandler: ChannelDuplexHandler {
    struct Request: Sendable {
        var bytes: ByteBuffer
        var reply: EventLoopPromise<RedisReply>
    }
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = Request
    typealias OutboundOut = ByteBuffer

    private var waiting = CircularBuffer<EventLoopPromise<RedisReply>>()
    private var received: ByteBuffer?

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let request = unwrapOutboundIn(data)
        waiting.append(request.reply)
        context.write(wrapOutboundOut(request.bytes), promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        if received == nil { received = bytes } else { received!.writeBuffer(&bytes) }
        while let reply = Self.parse(&received!) {
            guard let promise = waiting.popFirst() else {
                context.fireErrorCaught(RedisError(description: "a reply nobody asked for"))
                return
            }
            promise.succeed(reply)
        }
        received!.discardReadBytes()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        failAll(error)
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        failAll(RedisError(description: "the connection to redis closed"))
        context.fireChannelInactive()
    }

    private func failAll(_ error: any Error) {
        while let promise = waiting.popFirst() { promise.fail(error) }
    }

    /// One whole reply off the front of `buffer`, or nil (and `buffer`
    /// untouched) until more bytes arrive. Integer, simple string, error and
    /// bulk string replies: all the commands used here answer.
    static func parse(_ buffer: inout ByteBuffer) -> RedisReply? {
        let view = buffer.readableBytesView
        guard let first = view.first, let end = view.firstIndex(of: UInt8(ascii: "\r")),
            view.index(after: end) < view.endIndex
        else { return nil }
        let line = String(decoding: view[view.index(after: view.startIndex)..<end], as: UTF8.self)
        let lineLength = end - view.startIndex + 2
        switch first {
        case UInt8(ascii: ":"):
            buffer.moveReaderIndex(forwardBy: lineLength)
            return .integer(Int64(line) ?? 0)
        case UInt8(ascii: "+"):
            buffer.moveReaderIndex(forwardBy: lineLength)
            return .string(line)
        case UInt8(ascii: "-"):
            buffer.moveReaderIndex(forwardBy: lineLength)
            return .error(line)
        case UInt8(ascii: "$"):
            guard let length = Int(line) else { return .error("bad bulk length \(line)") }
            if length < 0 {
                buffer.moveReaderIndex(forwardBy: lineLength)
                return .null
            }
            guard view.count >= lineLength + length + 2 else { return nil }
            buffer.moveReaderIndex(forwardBy: lineLength)
            let text = buffer.readString(length: length) ?? ""
            buffer.moveReaderIndex(forwardBy: 2)
            return .string(text)
        default:
            buffer.moveReaderIndex(forwardBy: lineLength)
            return .error("unexpected reply \(line)")
        }
    }
}
