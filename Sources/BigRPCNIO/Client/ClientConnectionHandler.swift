import Atomics
import BigRPC
import BigRPCCodec
import BigRPCProtos
import Logging
import NIOCore

/// The client side of one connection: sends HEADERS, MESSAGE and CANCEL for
/// the calls it carries, routes MESSAGE and TRAILERS back to them, answers
/// PING, honours GOAWAY and enforces each call's deadline. Methods other than
/// the channel callbacks are called on the event loop by ``ClientStreamHandle``.
///
/// A call is known by a local handle from the start, and gets its wire stream
/// id only when its HEADERS leave: HEADERS are sent lazily (with the first
/// message, so a unary call is one write), and the protocol requires the ids
/// of HEADERS on a connection to increase in the order they are sent.
final class ClientConnectionHandler: ChannelDuplexHandler {
    typealias InboundIn = Frame
    typealias OutboundIn = Frame
    typealias OutboundOut = Frame

    private struct Stream {
        let responses: RPCMessageQueue<ClientResponsePart>
        /// The encoded `RequestHeaders`, until sent: they leave with the first
        /// message, the half-close, or when the caller starts reading.
        var pendingHeaders: ByteBuffer?
        /// The wire stream id, assigned when the HEADERS are sent.
        var wireID: UInt32?
        var halfClosed = false
        var deadline: Scheduled<Void>?
    }

    /// Why a new call cannot use this connection; the transport then opens another.
    enum Unusable: Error {
        case closed
        case draining
        case streamIDsExhausted
    }

    /// Calls by local handle.
    private var streams: [UInt64: Stream] = [:]
    /// Local handles by wire stream id, for routing what the server sends.
    private var handles: [UInt32: UInt64] = [:]
    private var nextHandle: UInt64 = 1
    private var nextStreamID: UInt32 = 1
    private var draining = false
    private var closed = false
    private var pausedStreams: Set<UInt64> = []
    private var readPending = false
    private var flushScheduled = false
    /// Request writers waiting for the channel to drain, by call handle.
    private var writabilityWaiters = WritabilityWaiters<UInt64>()
    private var context: ChannelHandlerContext?
    /// The error that ended the connection, if one did: the calls it fails
    /// say what it was (a TLS alert, a reset).
    private var connectionError: (any Error)?
    private let logger: Logger

    /// Cleared when the connection can take no new calls (GOAWAY, closed).
    let usable = ManagedAtomic(true)
    /// Mirrors the channel's writability for writers off the event loop.
    let writable = ManagedAtomic(true)

    init(logger: Logger) {
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        writable.store(context.channel.isWritable, ordering: .relaxed)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    // MARK: Calls (on the event loop)

    /// Registers a new call and prepares its HEADERS; returns its local handle.
    func openStream(
        method: MethodDescriptor,
        metadata: Metadata,
        timeout: Duration?,
        responses: RPCMessageQueue<ClientResponsePart>
    ) throws(Unusable) -> UInt64 {
        guard !closed, let context else { throw .closed }
        guard !draining else { throw .draining }
        guard nextStreamID < UInt32.max - UInt32(streams.count) else {
            draining = true
            usable.store(false, ordering: .relaxed)
            throw .streamIDsExhausted
        }
        let handle = nextHandle
        nextHandle += 1

        let timeoutMs = timeout.map(Self.milliseconds) ?? 0
        let headers = Bigrpc_V1_RequestHeaders(method: method.path, metadata: metadata.dictionary, timeoutMs: timeoutMs)
        var stream = Stream(responses: responses)
        do {
            stream.pendingHeaders = context.channel.allocator.buffer(bytes: try headers.serializedBytes())
        } catch {
            responses.finish(throwing: RPCError(.invalidArgument, "metadata or method name contains a NUL byte"))
            return handle
        }
        if let timeout {
            let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
            stream.deadline = context.eventLoop.scheduleTask(in: TimeAmount(saturating: timeout)) {
                handler.value.deadlinePassed(handle)
            }
        }
        streams[handle] = stream
        return handle
    }

    /// Sends one request message (after the HEADERS if still pending).
    func send(_ handle: UInt64, _ message: [UInt8], endStream: Bool) throws(RPCError) {
        guard let context else { throw RPCError(.unavailable, "the connection is closed") }
        // The call already ended (the server answered, or it was cancelled):
        // the caller learns the outcome from the responses.
        guard var stream = streams[handle], !stream.halfClosed else { return }
        let id = sendPendingHeaders(&stream, handle: handle, endStream: false, context: context)
        let payload = context.channel.allocator.buffer(bytes: message)
        context.write(wrapOutboundOut(Frame(type: .message, flags: endStream ? .endStream : [], streamID: id, payload: payload)), promise: nil)
        stream.halfClosed = endStream
        streams[handle] = stream
        scheduleFlush(context: context)
    }

    /// Half-closes a call that has sent no message: HEADERS with END_STREAM.
    func halfClose(_ handle: UInt64) throws(RPCError) {
        guard let context else { throw RPCError(.unavailable, "the connection is closed") }
        guard var stream = streams[handle], !stream.halfClosed else { return }
        guard stream.pendingHeaders != nil else {
            throw RPCError(
                .failedPrecondition,
                "BigRPC v1 half-closes only with the last request: write it with isLast: true"
            )
        }
        sendPendingHeaders(&stream, handle: handle, endStream: true, context: context)
        stream.halfClosed = true
        streams[handle] = stream
        scheduleFlush(context: context)
    }

    /// Sends the HEADERS of a call whose caller started reading before writing.
    func sendHeadersIfPending(_ handle: UInt64) {
        guard let context, var stream = streams[handle], stream.pendingHeaders != nil else { return }
        sendPendingHeaders(&stream, handle: handle, endStream: false, context: context)
        streams[handle] = stream
        scheduleFlush(context: context)
    }

    /// The caller gave up on a call before its status arrived: CANCEL it.
    func cancel(_ handle: UInt64) {
        end(handle, throwing: CancellationError())
    }

    /// Forgets a call, failing its responses; sends CANCEL if the server knows it.
    private func end(_ handle: UInt64, throwing error: any Error) {
        guard let stream = streams.removeValue(forKey: handle) else { return }
        stream.deadline?.cancel()
        stream.responses.finish(throwing: error)
        // A writer of this call waiting for a full channel fails as the call did.
        writabilityWaiters.release(handle, throwing: error)
        resumeIfPaused(handle)
        // A call whose HEADERS never left needs no CANCEL: the server never saw it.
        if let id = stream.wireID, let context {
            handles[id] = nil
            context.write(wrapOutboundOut(Frame(type: .cancel, streamID: id)), promise: nil)
            scheduleFlush(context: context)
        }
        closeIfDrained()
    }

    /// Resumes `continuation` once the channel can take more writes, or
    /// when call `handle` ends first.
    func waitUntilWritable(_ handle: UInt64, _ continuation: CheckedContinuation<Void, any Error>) {
        guard let context, context.channel.isActive else {
            continuation.resume(throwing: RPCError(.unavailable, "the connection is closed"))
            return
        }
        if context.channel.isWritable || streams[handle] == nil {
            continuation.resume()
        } else {
            writabilityWaiters.append(handle, continuation)
        }
    }

    /// The response queue of `handle` drained: reading may resume.
    func resumeIfPaused(_ handle: UInt64) {
        guard pausedStreams.remove(handle) != nil, let context else { return }
        resumeReadingIfPossible(context: context)
    }

    /// A timeout as `timeout_ms`: whole milliseconds rounded up, at least 1
    /// (0 would mean none), saturating at `UInt64.max` (the server caps it).
    static func milliseconds(_ timeout: Duration) -> UInt64 {
        max(1, timeout.saturatingMillisecondsRoundedUp)
    }

    private func deadlinePassed(_ handle: UInt64) {
        end(handle, throwing: RPCError(.deadlineExceeded, "deadline exceeded"))
    }

    /// Writes the call's HEADERS if not sent yet, giving it the next wire
    /// stream id; returns the id.
    @discardableResult
    private func sendPendingHeaders(
        _ stream: inout Stream,
        handle: UInt64,
        endStream: Bool,
        context: ChannelHandlerContext
    ) -> UInt32 {
        if let id = stream.wireID { return id }
        let id = nextStreamID
        nextStreamID += 1
        stream.wireID = id
        handles[id] = handle
        let headers = Frame(type: .headers, flags: endStream ? .endStream : [], streamID: id, payload: stream.pendingHeaders ?? ByteBuffer())
        stream.pendingHeaders = nil
        context.write(wrapOutboundOut(headers), promise: nil)
        return id
    }

    // MARK: Inbound

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.type {
        case .message:
            guard let handle = handles[frame.streamID], let stream = streams[handle] else { return }
            if !stream.responses.yield(.message(Array(frame.payload.readableBytesView))) {
                pausedStreams.insert(handle)
            }
        case .trailers:
            guard let handle = handles.removeValue(forKey: frame.streamID),
                  let stream = streams.removeValue(forKey: handle) else { return }
            stream.deadline?.cancel()
            resumeIfPaused(handle)
            // The server answered: a request writer still waiting goes on
            // (what it writes now is dropped; the caller reads the status).
            writabilityWaiters.release(handle, throwing: nil)
            do {
                let status = try Bigrpc_V1_Status(serializedBytes: frame.payload.readableBytesView)
                stream.responses.yield(.status(
                    Status(code: StatusCode(rawValue: status.code), message: status.message),
                    Metadata(status.metadata)
                ))
                stream.responses.finish()
            } catch {
                stream.responses.finish(throwing: RPCError(.internal, "TRAILERS payload does not decode: \(error)"))
            }
            closeIfDrained()
        case .ping:
            guard frame.streamID == 0, frame.payload.readableBytes == 8 else {
                failConnection(context: context, ProtocolViolation(.internal, "malformed PING from the server"))
                return
            }
            if !frame.flags.contains(.ack) {
                context.writeAndFlush(wrapOutboundOut(Frame(type: .ping, flags: .ack, streamID: 0, payload: frame.payload)), promise: nil)
            }
        case .goAway:
            receiveGoAway(frame, context: context)
        case .headers, .cancel:
            failConnection(context: context, ProtocolViolation(.internal, "a server may not send \(frame.type)"))
        }
    }

    private func receiveGoAway(_ frame: Frame, context: ChannelHandlerContext) {
        guard let goAway = try? Bigrpc_V1_GoAway(serializedBytes: frame.payload.readableBytesView) else {
            failConnection(context: context, ProtocolViolation(.internal, "GOAWAY payload does not decode"))
            return
        }
        draining = true
        usable.store(false, ordering: .relaxed)
        if goAway.code != 0 {
            logger.info("the server closed the connection", metadata: [
                "code": "\(StatusCode(rawValue: goAway.code))", "message": "\(Status.excerpt(goAway.message))",
            ])
        }
        // Calls the server never saw were not processed: safe to retry. That
        // is every call whose HEADERS left with a wire id above the last one
        // the server accepted, and every call whose HEADERS never left. (The
        // local handle says nothing: HEADERS leave lazily, in another order.)
        // A GOAWAY with an error code says why (e.g. "this port requires
        // TLS"): pass that on rather than a generic message.
        let notProcessed = goAway.code == 0
            ? RPCError(.unavailable, "the server is going away; the call was not processed")
            : RPCError(
                .unavailable,
                "the server closed the connection (\(StatusCode(rawValue: goAway.code).name): \(goAway.message.prefix(200))); the call was not processed"
            )
        for (handle, stream) in streams where stream.wireID.map({ $0 > goAway.lastStreamId }) ?? true {
            streams[handle] = nil
            if let id = stream.wireID { handles[id] = nil }
            stream.deadline?.cancel()
            stream.responses.finish(throwing: notProcessed)
            writabilityWaiters.release(handle, throwing: notProcessed)
            pausedStreams.remove(handle)
        }
        closeIfDrained()
    }

    func channelInactive(context: ChannelHandlerContext) {
        closed = true
        usable.store(false, ordering: .relaxed)
        let error = RPCError(.unavailable, "the connection to the server was lost\(closeReason)")
        for stream in streams.values {
            stream.deadline?.cancel()
            stream.responses.finish(throwing: error)
        }
        streams.removeAll()
        handles.removeAll()
        pausedStreams.removeAll()
        writabilityWaiters.failAll(error)
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
        let isWritable = context.channel.isWritable
        writable.store(isWritable, ordering: .relaxed)
        if isWritable {
            writabilityWaiters.resumeAll()
            resumeReadingIfPossible(context: context)
        }
        context.fireChannelWritabilityChanged()
    }

    func read(context: ChannelHandlerContext) {
        if pausedStreams.isEmpty {
            context.read()
        } else {
            readPending = true
        }
    }

    private func resumeReadingIfPossible(context: ChannelHandlerContext) {
        guard readPending, pausedStreams.isEmpty else { return }
        readPending = false
        context.read()
    }

    private func failConnection(context: ChannelHandlerContext, _ violation: ProtocolViolation) {
        logger.info("closing a connection the server broke", metadata: ["violation": "\(violation)"])
        usable.store(false, ordering: .relaxed)
        context.close(promise: nil)
    }

    private func closeIfDrained() {
        guard draining, streams.isEmpty, let context else { return }
        context.close(promise: nil)
    }

    /// Flushes once per event loop tick, coalescing the writes of many calls.
    private func scheduleFlush(context: ChannelHandlerContext) {
        guard !flushScheduled else { return }
        flushScheduled = true
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        context.eventLoop.execute {
            let handler = handler.value
            handler.flushScheduled = false
            handler.context?.flush()
        }
    }
}
