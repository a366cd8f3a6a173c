import BigRPC
import BigRPCCodec
import BigRPCProtos
import Logging
import NIOCore

/// The protocol concern of a server connection: validates every frame with
/// ``ServerConnectionStateMachine``, answers what needs no handler (PING,
/// refused streams, stream and connection errors), sends GOAWAY, enforces the
/// setup and idle timeouts, and turns response writes into frames.
final class ServerConnectionHandler: ChannelDuplexHandler {
    typealias InboundIn = Frame
    typealias InboundOut = ServerStreamEvent
    typealias OutboundIn = ServerStreamOutbound
    typealias OutboundOut = Frame

    private var machine: ServerConnectionStateMachine
    private let idleTimeout: TimeAmount?
    /// The pending idle check; at most one, re-armed by itself.
    private var idleTimer: Scheduled<Void>?
    /// A new connection must send its first HEADERS this soon.
    private let setupTimeout: TimeAmount?
    private var setupTimer: Scheduled<Void>?
    /// When a frame last arrived or a stream last ended.
    private var lastActivity = NIODeadline.now()
    private let logger: Logger
    /// Open streams counted against the process's and the address's caps.
    private var streamBudgets: ConnectionStreamBudgets?
    /// Told of protocol violations.
    private let observer: (any ServerTransportObserver)?

    init(
        configuration: ServerConnectionStateMachine.Configuration,
        idleTimeout: TimeAmount?,
        setupTimeout: TimeAmount? = nil,
        streamBudgets: ConnectionStreamBudgets? = nil,
        observer: (any ServerTransportObserver)? = nil,
        logger: Logger
    ) {
        self.observer = observer
        self.machine = ServerConnectionStateMachine(configuration: configuration)
        self.streamBudgets = streamBudgets
        self.idleTimeout = idleTimeout
        self.setupTimeout = setupTimeout
        self.logger = logger
    }

    // MARK: Inbound

    func channelActive(context: ChannelHandlerContext) {
        noteActivity(context: context)
        if let setupTimeout {
            let loopBoundContext = NIOLoopBound(context, eventLoop: context.eventLoop)
            let loopBoundSelf = NIOLoopBound(self, eventLoop: context.eventLoop)
            setupTimer = context.eventLoop.scheduleTask(in: setupTimeout) {
                loopBoundSelf.value.setupCheck(context: loopBoundContext.value)
            }
        }
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        machine.close()
        streamBudgets?.settle(open: 0)
        idleTimer?.cancel()
        idleTimer = nil
        setupTimer?.cancel()
        setupTimer = nil
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        perform(machine.receive(unwrapInboundIn(data)), context: context)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let dropped = event as? DroppedFrame {
            perform(machine.receiveDropped(dropped), context: context)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    private func perform(_ action: ServerConnectionStateMachine.Action, context: ChannelHandlerContext) {
        switch action {
        case .openStream(let stream):
            if let refusal = streamBudgets?.reserve() {
                perform(machine.refuseOpened(stream.streamID, refusal), context: context)
                return
            }
            context.fireChannelRead(wrapInboundOut(.open(stream)))
        case .refuseStream(let id, let status):
            writeTrailers(context: context, streamID: id, status: status, metadata: [:])
            context.flush()
        case .deliverMessage(let id, let payload, let endStream):
            context.fireChannelRead(wrapInboundOut(.message(id, payload, endStream: endStream)))
        case .endRequests(let id):
            context.fireChannelRead(wrapInboundOut(.endRequests(id)))
        case .failStream(let id, let status):
            writeTrailers(context: context, streamID: id, status: status, metadata: [:])
            context.flush()
            context.fireChannelRead(wrapInboundOut(.cancel(id)))
        case .cancelStream(let id):
            context.fireChannelRead(wrapInboundOut(.cancel(id)))
        case .replyToPing(let payload):
            context.writeAndFlush(wrapOutboundOut(Frame(type: .ping, flags: .ack, streamID: 0, payload: payload)), promise: nil)
        case .none:
            break
        case .connectionError(let violation):
            streamBudgets?.settle(open: 0)
            goAwayAndClose(context: context, violation)
            return
        }
        streamBudgets?.settle(open: machine.openStreamCount)
        if machine.isDrained {
            // Draining, and the client cancelled the last stream: nothing
            // will end it with TRAILERS, so close now (not at the drain timeout).
            context.flush()
            context.close(promise: nil)
            return
        }
        noteActivity(context: context)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let violation = error as? ProtocolViolation {
            machine.close()
            streamBudgets?.settle(open: 0)
            goAwayAndClose(context: context, violation)
        } else {
            logger.debug("connection error", metadata: ["error": "\(error)"])
            context.close(promise: nil)
        }
    }

    // MARK: Outbound

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .message(let id, let bytes):
            guard machine.isOpen(id) else {
                promise?.fail(ChannelError.ioOnClosedChannel)
                return
            }
            let payload = context.channel.allocator.buffer(bytes: bytes)
            context.write(wrapOutboundOut(Frame(type: .message, streamID: id, payload: payload)), promise: promise)
        case .trailers(let id, let status, let metadata):
            guard machine.isOpen(id) else {
                promise?.fail(ChannelError.ioOnClosedChannel)
                return
            }
            writeTrailers(context: context, streamID: id, status: status, metadata: metadata, promise: promise)
            let drained = machine.streamEnded(id)
            streamBudgets?.settle(open: machine.openStreamCount)
            if drained {
                context.flush()
                context.close(promise: nil)
            } else {
                noteActivity(context: context)
            }
        }
    }

    func triggerUserOutboundEvent(context: ChannelHandlerContext, event: Any, promise: EventLoopPromise<Void>?) {
        guard event is ServerDrainEvent else {
            context.triggerUserOutboundEvent(event, promise: promise)
            return
        }
        if let lastStreamID = machine.beginDraining() {
            writeGoAway(context: context, lastStreamID: lastStreamID, code: .ok, message: "the server is shutting down")
            context.flush()
            if machine.isDrained { context.close(promise: nil) }
        }
        promise?.succeed()
    }

    // MARK: Helpers

    private func writeTrailers(
        context: ChannelHandlerContext,
        streamID: UInt32,
        status: Status,
        metadata: Metadata,
        promise: EventLoopPromise<Void>? = nil
    ) {
        let message = Bigrpc_V1_Status(code: status.code.rawValue, message: status.message, metadata: metadata.dictionary)
        let bytes: [UInt8]
        do {
            bytes = try message.serializedBytes()
        } catch {
            // Only a NUL byte in a handler's status text or trailer can get here.
            logger.error("status could not be encoded", metadata: ["error": "\(error)"])
            bytes = (try? Bigrpc_V1_Status(code: StatusCode.internal.rawValue, message: "internal error").serializedBytes()) ?? []
        }
        let frame = Frame(type: .trailers, streamID: streamID, payload: context.channel.allocator.buffer(bytes: bytes))
        context.write(wrapOutboundOut(frame), promise: promise)
    }

    private func writeGoAway(
        context: ChannelHandlerContext,
        lastStreamID: UInt32,
        code: StatusCode,
        message: String,
        promise: EventLoopPromise<Void>? = nil
    ) {
        let goAway = Bigrpc_V1_GoAway(lastStreamId: lastStreamID, code: code.rawValue, message: message)
        let bytes = (try? goAway.serializedBytes()) ?? []
        let frame = Frame(type: .goAway, streamID: 0, payload: context.channel.allocator.buffer(bytes: bytes))
        context.write(wrapOutboundOut(frame), promise: promise)
    }

    private func goAwayAndClose(context: ChannelHandlerContext, _ violation: ProtocolViolation) {
        observer?.protocolViolation(violation)
        logger.info(
            "closing connection after a protocol violation",
            metadata: [
                "peer": "\(context.remoteAddress?.description ?? "?")", "violation": "\(violation)",
            ])
        writeGoAwayThenClose(context: context, code: violation.code, message: violation.message)
    }

    /// Sends GOAWAY and closes the connection once it is written.
    private func writeGoAwayThenClose(context: ChannelHandlerContext, code: StatusCode, message: String) {
        let written = context.eventLoop.makePromise(of: Void.self)
        writeGoAway(context: context, lastStreamID: machine.highestStreamID, code: code, message: message, promise: written)
        context.flush()
        let loopBoundContext = NIOLoopBound(context, eventLoop: context.eventLoop)
        written.futureResult.whenComplete { _ in
            loopBoundContext.value.close(promise: nil)
        }
    }

    /// Closes the connection after `idleTimeout` with no open stream and no
    /// frame received; any frame or open stream postpones it.
    ///
    /// Activity only records the time: one timer per connection checks it
    /// when it fires and re-arms itself for the rest, instead of a timer
    /// cancelled and scheduled again on every frame (5% of a busy server's
    /// time in Benchmarks/).
    private func noteActivity(context: ChannelHandlerContext) {
        lastActivity = .now()
        if idleTimer == nil, let idleTimeout {
            scheduleIdleCheck(context: context, in: idleTimeout)
        }
    }

    private func scheduleIdleCheck(context: ChannelHandlerContext, in delay: TimeAmount) {
        guard machine.state == .active else { return }
        let loopBoundContext = NIOLoopBound(context, eventLoop: context.eventLoop)
        let loopBoundSelf = NIOLoopBound(self, eventLoop: context.eventLoop)
        idleTimer = context.eventLoop.scheduleTask(in: delay) {
            loopBoundSelf.value.idleCheck(context: loopBoundContext.value)
        }
    }

    /// Closes a connection that has sent no HEADERS within the setup
    /// timeout: a silent or PING-only connection holds a descriptor and
    /// does nothing else. (One timer per connection, left to fire: once a
    /// HEADERS arrived it finds nothing to do.)
    private func setupCheck(context: ChannelHandlerContext) {
        setupTimer = nil
        guard let setupTimeout, machine.state == .active, machine.highestStreamID == 0 else { return }
        writeGoAwayThenClose(
            context: context,
            code: .ok,
            message: "no request within \(setupTimeout.roundedDescription) of connecting"
        )
    }

    private func idleCheck(context: ChannelHandlerContext) {
        idleTimer = nil
        guard let idleTimeout, machine.state == .active else { return }
        guard machine.openStreamCount == 0 else {
            // Busy: idle time starts when the last stream ends (that ending
            // counts as activity); look again a whole timeout later.
            scheduleIdleCheck(context: context, in: idleTimeout)
            return
        }
        let idleFor = NIODeadline.now() - lastActivity
        if idleFor >= idleTimeout {
            writeGoAwayThenClose(context: context, code: .ok, message: "idle timeout")
        } else {
            scheduleIdleCheck(context: context, in: idleTimeout - idleFor)
        }
    }
}
