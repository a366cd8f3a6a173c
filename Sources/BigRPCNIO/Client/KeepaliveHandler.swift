import NIOCore

/// Keepalive of a client connection: PINGs the server every
/// ``BigRPCClientTransport/Keepalive/interval`` and, when a PING goes
/// unanswered for ``BigRPCClientTransport/Keepalive/timeout``, reports
/// ``KeepaliveTimeout`` down the pipeline, which closes the connection. Its
/// calls then fail with UNAVAILABLE at once, instead of waiting on a dead
/// link (a host that vanished, a cut cable) until TCP gives up minutes later,
/// and the next call connects anew. Every frame passes through unchanged.
final class KeepaliveHandler: ChannelDuplexHandler {
    typealias InboundIn = Frame
    typealias InboundOut = Frame
    typealias OutboundIn = Frame
    typealias OutboundOut = Frame

    private enum State {
        /// No PING in flight.
        case idle
        /// PING `payload` sent; `deadline` fires if its reply is late.
        case awaiting(payload: UInt64, deadline: Scheduled<Void>)
        /// Stopped: the channel closed or the timeout was reported.
        case stopped
    }

    private let interval: TimeAmount
    private let timeout: TimeAmount
    private var state = State.idle
    private var nextPayload: UInt64 = 1
    private var ticker: RepeatedTask?

    init(interval: TimeAmount, timeout: TimeAmount) {
        self.interval = interval
        self.timeout = timeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { start(context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        start(context: context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        stop()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        stop()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        if frame.type == .ping, frame.flags.contains(.ack), case .awaiting(let payload, let deadline) = state,
            frame.payload.getInteger(at: frame.payload.readerIndex, as: UInt64.self) == payload
        {
            deadline.cancel()
            state = .idle
        }
        context.fireChannelRead(data)
    }

    private func start(context: ChannelHandlerContext) {
        guard ticker == nil else { return }
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        ticker = context.eventLoop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { _ in
            handler.value.ping(context: bound.value)
        }
    }

    /// Sends a PING unless one is still waiting for its reply (its own
    /// deadline judges it).
    private func ping(context: ChannelHandlerContext) {
        guard case .idle = state else { return }
        let payload = nextPayload
        nextPayload &+= 1
        var bytes = context.channel.allocator.buffer(capacity: 8)
        bytes.writeInteger(payload)
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        let deadline = context.eventLoop.scheduleTask(in: timeout) {
            handler.value.timedOut(context: bound.value)
        }
        state = .awaiting(payload: payload, deadline: deadline)
        context.writeAndFlush(wrapOutboundOut(Frame(type: .ping, streamID: 0, payload: bytes)), promise: nil)
    }

    private func timedOut(context: ChannelHandlerContext) {
        guard case .awaiting = state else { return }
        stop()
        context.fireErrorCaught(KeepaliveTimeout(timeout: timeout))
    }

    private func stop() {
        ticker?.cancel()
        ticker = nil
        if case .awaiting(_, let deadline) = state { deadline.cancel() }
        state = .stopped
    }
}

/// A keepalive PING went unanswered: the connection is taken for dead.
struct KeepaliveTimeout: Error, CustomStringConvertible {
    let timeout: TimeAmount

    var description: String {
        "no reply to a keepalive PING within \(timeout.nanoseconds / 1_000_000) ms (the link or the server is down)"
    }
}
