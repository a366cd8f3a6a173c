import BigRPC
import BigRPCProtos
import Logging
import NIOCore

/// The client side of one connection: performs what
/// ``ClientConnectionStateMachine`` decides (HEADERS, MESSAGE, HALF_CLOSE and
/// CANCEL for the calls it carries, MESSAGE and TRAILERS routed back to them,
/// PING answered, GOAWAY honoured) and enforces each call's deadline. Methods
/// other than the channel callbacks are called on the event loop by
/// ``ClientStreamHandle``.
final class ClientConnectionHandler: ChannelDuplexHandler {
    typealias InboundIn = Frame
    typealias OutboundIn = Frame
    typealias OutboundOut = Frame

    /// What a call holds besides its protocol state.
    private struct Call {
        let responses: RPCMessageQueue<ClientResponsePart>
        var deadline: Scheduled<Void>?
    }

    private var machine: ClientConnectionStateMachine
    /// Calls by local handle.
    private var calls: [UInt64: Call] = [:]
    let flow = ConnectionFlow<UInt64>()
    private var context: ChannelHandlerContext?
    /// The error that ended the connection, if one did: the calls it fails
    /// say what it was (a TLS alert, a reset).
    private var connectionError: (any Error)?
    private let logger: Logger

    /// Cleared when the connection can take no new calls (GOAWAY, closed).
    let usable = AtomicFlag(true)

    /// The server takes HALF_CLOSE frames.
    let sendsHalfClose: Bool

    init(sendsHalfClose: Bool, logger: Logger) {
        self.sendsHalfClose = sendsHalfClose
        self.machine = ClientConnectionStateMachine(sendsHalfClose: sendsHalfClose)
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        flow.writable.set(context.channel.isWritable)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    // MARK: Calls (on the event loop)

    /// The handle the next call registered gets.
    var nextHandle: UInt64 { machine.nextHandle }

    /// Registers a new call and prepares its HEADERS; returns its local handle.
    func openStream(
        method: MethodDescriptor,
        metadata: Metadata,
        timeout: Duration?,
        responses: RPCMessageQueue<ClientResponsePart>
    ) throws(ClientConnectionStateMachine.Unusable) -> UInt64 {
        guard let context else { throw .closed }
        let timeoutMs = timeout.map(Self.milliseconds) ?? 0
        let headers = Bigrpc_V1_RequestHeaders(method: method.path, metadata: metadata.dictionary, timeoutMs: timeoutMs)
        guard let bytes = try? headers.serializedBytes() else {
            responses.finish(throwing: RPCError(.invalidArgument, "metadata or method name contains a NUL byte"))
            return 0  // no call has handle 0: everything done with it is a no-op
        }
        let handle: UInt64
        do {
            handle = try machine.openStream(headers: context.channel.allocator.buffer(bytes: bytes))
        } catch {
            usable.set(machine.isUsable)
            throw error
        }
        var call = Call(responses: responses)
        if let timeout {
            let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
            call.deadline = context.eventLoop.scheduleTask(in: TimeAmount(saturating: timeout)) {
                handler.value.end(handle, throwing: RPCError(.deadlineExceeded, "deadline exceeded"))
            }
        }
        calls[handle] = call
        return handle
    }

    /// Sends one request message (after the HEADERS if still pending).
    func send(_ handle: UInt64, _ message: [UInt8], endStream: Bool) throws(RPCError) {
        guard let context else { throw RPCError(.unavailable, "the connection is closed") }
        // The call already ended (the server answered, or it was cancelled):
        // the caller learns the outcome from the responses.
        guard let outbound = machine.send(handle, endStream: endStream) else { return }
        writeHeaders(outbound, endStream: false, context: context)
        let payload = context.channel.allocator.buffer(bytes: message)
        context.write(wrapOutboundOut(Frame(type: .message, flags: endStream ? .endStream : [], streamID: outbound.streamID, payload: payload)), promise: nil)
        scheduleFlush(context: context)
    }

    /// Half-closes a call: HEADERS with END_STREAM if it sent nothing yet,
    /// else a HALF_CLOSE frame.
    func halfClose(_ handle: UInt64) throws(RPCError) {
        guard let context else { throw RPCError(.unavailable, "the connection is closed") }
        switch machine.halfClose(handle) {
        case .none:
            return
        case .headers(let id, let headers):
            writeHeaders(.init(streamID: id, headers: headers), endStream: true, context: context)
        case .halfCloseFrame(let id):
            context.write(wrapOutboundOut(Frame(type: .halfClose, flags: .endStream, streamID: id)), promise: nil)
        case .unsupported:
            throw RPCError(
                .failedPrecondition,
                "this server takes no HALF_CLOSE (wire revision 1.0): write the last request with isLast: true"
            )
        }
        scheduleFlush(context: context)
    }

    /// Sends the HEADERS of a call whose caller started reading before writing.
    func sendHeadersIfPending(_ handle: UInt64) {
        guard let context, let outbound = machine.sendHeadersIfIdle(handle) else { return }
        writeHeaders(outbound, endStream: false, context: context)
        scheduleFlush(context: context)
    }

    /// The caller gave up on a call before its status arrived: CANCEL it.
    func cancel(_ handle: UInt64) {
        end(handle, throwing: CancellationError())
    }

    /// Forgets a call, failing its responses; sends CANCEL if the server knows it.
    private func end(_ handle: UInt64, throwing error: any Error) {
        guard let ended = machine.end(handle) else { return }
        forget(handle, error)
        if let id = ended.cancelStreamID, let context {
            context.write(wrapOutboundOut(Frame(type: .cancel, streamID: id)), promise: nil)
            scheduleFlush(context: context)
        }
        if ended.closesConnection { context?.close(promise: nil) }
    }

    /// Ends what a call holds: its deadline, its responses (with `error`, or
    /// normally when nil), its waiting writer (which goes on when nil).
    private func forget(_ handle: UInt64, _ error: (any Error)?) {
        guard let call = calls.removeValue(forKey: handle) else { return }
        call.deadline?.cancel()
        if let error { call.responses.finish(throwing: error) }
        flow.releaseWriters(of: handle, throwing: error)
        resumeIfPaused(handle)
    }

    /// Resumes `continuation` once the channel can take more writes, or
    /// when call `handle` ends first.
    func waitUntilWritable(_ handle: UInt64, _ continuation: CheckedContinuation<Void, any Error>) {
        guard let context, context.channel.isActive else {
            continuation.resume(throwing: RPCError(.unavailable, "the connection is closed"))
            return
        }
        if context.channel.isWritable || calls[handle] == nil {
            continuation.resume()
        } else {
            flow.wait(handle, continuation)
        }
    }

    /// The response queue of `handle` drained: reading may resume.
    func resumeIfPaused(_ handle: UInt64) {
        guard flow.unpause(handle), let context else { return }
        flow.resumeReading(context)
    }

    /// A timeout as `timeout_ms`: whole milliseconds rounded up, at least 1
    /// (0 would mean none), saturating at `UInt64.max` (the server caps it).
    static func milliseconds(_ timeout: Duration) -> UInt64 {
        max(1, timeout.saturatingMillisecondsRoundedUp)
    }

    private func writeHeaders(_ outbound: ClientConnectionStateMachine.Outbound, endStream: Bool, context: ChannelHandlerContext) {
        guard let headers = outbound.headers else { return }
        let frame = Frame(type: .headers, flags: endStream ? .endStream : [], streamID: outbound.streamID, payload: headers)
        context.write(wrapOutboundOut(frame), promise: nil)
    }

    // MARK: Inbound

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch machine.receive(unwrapInboundIn(data)) {
        case .deliverMessage(let handle, let payload):
            if calls[handle]?.responses.yield(.message(Array(payload.readableBytesView))) == false {
                flow.pause(handle)
            }
        case .deliverStatus(let handle, let status, let trailers, let closesConnection):
            let responses = calls[handle]?.responses
            // The server answered: a request writer still waiting goes on
            // (what it writes now is dropped; the caller reads the status).
            forget(handle, nil)
            responses?.yield(.status(status, trailers))
            responses?.finish()
            if closesConnection { context.close(promise: nil) }
        case .failStream(let handle, let message, let closesConnection):
            forget(handle, RPCError(.internal, message))
            if closesConnection { context.close(promise: nil) }
        case .replyToPing(let payload):
            context.writeAndFlush(wrapOutboundOut(Frame(type: .ping, flags: .ack, streamID: 0, payload: payload)), promise: nil)
        case .goAway(let notProcessed, let code, let message, let closesConnection):
            usable.set(false)
            if code != .ok {
                logger.info(
                    "the server closed the connection",
                    metadata: [
                        "code": "\(code)", "message": "\(Status.excerpt(message))",
                    ])
            }
            // A GOAWAY with an error code says why (e.g. "this port requires
            // TLS"): pass that on rather than a generic message.
            var error =
                code == .ok
                ? RPCError(.unavailable, "the server is going away; the call was not processed")
                : RPCError(.unavailable, "the server closed the connection (\(code.name): \(message.prefix(200))); the call was not processed")
            error.callWasNotProcessed = true
            for handle in notProcessed { forget(handle, error) }
            if closesConnection { context.close(promise: nil) }
        case .connectionError(let violation):
            failConnection(context: context, violation)
        case .none:
            break
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        usable.set(false)
        let error = RPCError(.unavailable, "the connection to the server was lost\(closeReason)")
        for handle in machine.close() { forget(handle, error) }
        flow.closed(error)
        context.fireChannelInactive()
    }

    /// ": <the error that ended the connection>", or nothing.
    var closeReason: String {
        connectionError.map { ": \(String(describing: $0).prefix(300))" } ?? ""
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let violation = error as? ProtocolViolation {
            failConnection(context: context, violation)
        } else {
            logger.debug("connection error", metadata: ["error": "\(error)"])
            if connectionError == nil { connectionError = error }
            context.close(promise: nil)
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        flow.writabilityChanged(context.channel.isWritable)
        if context.channel.isWritable { flow.resumeReading(context) }
        context.fireChannelWritabilityChanged()
    }

    func read(context: ChannelHandlerContext) {
        flow.read(context)
    }

    private func failConnection(context: ChannelHandlerContext, _ violation: ProtocolViolation) {
        logger.info("closing a connection the server broke", metadata: ["violation": "\(violation)"])
        usable.set(false)
        context.close(promise: nil)
    }

    private func scheduleFlush(context: ChannelHandlerContext) {
        flow.scheduleFlush(on: context.eventLoop) { [weak self] in self?.context?.flush() }
    }
}
