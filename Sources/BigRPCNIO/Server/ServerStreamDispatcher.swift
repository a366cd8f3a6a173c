import BigRPC
import BigRPCCodec
import NIOCore
import Synchronization

/// The dispatch concern of a server connection: runs each stream's call in
/// its own task on ``RPCServer``, feeds it the request messages, and carries
/// its responses back to the event loop.
///
/// Backpressure both ways: when a handler falls behind on its requests (its
/// queue passes the high watermark), the connection holds more request bytes
/// than its budget, or the client stops reading responses (the channel is not
/// writable), the connection stops reading; response writers suspend while
/// the channel is not writable.
///
/// It also bounds what a client can make the server hold: a unary or
/// server-streaming request must arrive whole (END_STREAM) within
/// ``Limits/requestTimeout`` of its HEADERS, and a message that would take
/// the process over its request byte budget fails its stream with
/// RESOURCE_EXHAUSTED instead of being buffered (see `RequestBytes.swift`).
final class ServerStreamDispatcher: ChannelDuplexHandler {
    typealias InboundIn = ServerStreamEvent
    typealias OutboundIn = ServerStreamOutbound
    typealias OutboundOut = ServerStreamOutbound

    /// What a connection may make the server hold.
    struct Limits {
        /// Time for a unary or server-streaming request to arrive whole; nil: no limit.
        var requestTimeout: TimeAmount?
        /// Request bytes one connection may hold before it stops reading.
        var maxBufferedRequestBytesPerConnection: Int
        /// The process's request byte budget, shared by every connection.
        var process: RequestByteBudget
    }

    private struct Stream {
        let requests: RPCMessageQueue<[UInt8]>
        var task: Task<Void, Never>?
        /// Starts `task`: held back until the first request message of a
        /// single request arrives, so that a stream cancelled (or failed)
        /// before its request costs no task at all ("rapid reset").
        var start: (() -> Task<Void, Never>)?
        /// Fires the call's `DeadlineSignal`; armed and disarmed on the
        /// event loop (no cross-thread timer work per call).
        var deadlineTimer: Scheduled<Void>?
        /// The client sent CANCEL; the task may not have ended yet.
        var cancelled = false
        /// The request bytes a streaming request holds, released by the
        /// handler's task as it takes them; nil for a single request.
        let streamingBytes: StreamRequestBytes?
        /// The bytes a single request holds until its END_STREAM, counted
        /// on the event loop (no shared counter per unary call).
        var singleRequestBytes = 0
        /// A unary or server-streaming call (or an unknown method): its one
        /// message is held until END_STREAM, which must come in time.
        let hasSingleRequest: Bool
        /// A single request whose END_STREAM has not arrived yet.
        var awaitingRequest: Bool
    }

    private let server: RPCServer
    private let decodingLimits: ProtoDecodingLimits
    private let limits: Limits
    private var streams: [UInt32: Stream] = [:]
    /// Writability, response writers waiting for it, paused request queues, flushes.
    private let flow = ConnectionFlow<UInt32>()
    private var context: ChannelHandlerContext?
    private var peerDescription: String?
    /// The layer under the frames, asked once for the values every call of
    /// the connection carries.
    private let security: (any ServerConnectionSecurity)?
    private var connectionValues: ServerContextValues?
    /// The request bytes this connection holds; made when the handler is added.
    private var connectionBytes: ConnectionRequestBytes?
    /// Single requests not yet whole, oldest first, with the time they are
    /// due. One timer per connection serves them all (the same timeout for
    /// every stream keeps the deadlines in order), instead of a timer armed
    /// and cancelled per call; entries whose request completed are dropped
    /// from the front as they complete.
    private var requestDeadlines = CircularBuffer<(id: UInt32, due: NIODeadline)>()
    private var requestTimer: Scheduled<Void>?

    /// Where handler tasks run: nil for Swift's global executor.
    private let handlerExecutor: EventLoopTaskExecutor?

    init(
        server: RPCServer,
        decodingLimits: ProtoDecodingLimits,
        limits: Limits,
        handlerExecutor: EventLoopTaskExecutor? = nil,
        security: (any ServerConnectionSecurity)? = nil
    ) {
        self.server = server
        self.decodingLimits = decodingLimits
        self.limits = limits
        self.handlerExecutor = handlerExecutor
        self.security = security
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        flow.writable.set(context.channel.isWritable)
        let eventLoop = context.eventLoop
        let handler = NIOLoopBound(self, eventLoop: eventLoop)
        connectionBytes = ConnectionRequestBytes(
            limit: limits.maxBufferedRequestBytesPerConnection,
            process: limits.process
        ) {
            eventLoop.execute {
                let handler = handler.value
                if let context = handler.context { handler.resumeReadingIfPossible(context: context) }
            }
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    // MARK: Inbound

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .open(let opened):
            open(opened, context: context)
        case .message(let id, let payload, let endStream):
            receiveMessage(id, payload, endStream: endStream, context: context)
        case .endRequests(let id):
            endRequests(id)
        case .cancel(let id):
            cancel(id, context: context)
        }
    }

    private func receiveMessage(_ id: UInt32, _ payload: ByteBuffer, endStream: Bool, context: ChannelHandlerContext) {
        guard var stream = streams[id], !stream.cancelled, let connectionBytes else { return }
        // A single request that arrives with END_STREAM goes straight to its
        // handler: nothing is held for it. Anything else is counted until the
        // handler takes it (streaming) or the request ends (single).
        if !(stream.hasSingleRequest && endStream) {
            let size = payload.readableBytes
            let reserved: Bool
            if let streamingBytes = stream.streamingBytes {
                reserved = streamingBytes.reserve(size)
            } else {
                reserved = connectionBytes.reserve(size)
                if reserved { stream.singleRequestBytes += size }
            }
            guard reserved else {
                failStream(id, limits.process.busyStatus, context: context)
                return
            }
        }
        if !stream.requests.yield(Array(payload.readableBytesView)) {
            flow.pause(id)
        }
        streams[id] = stream
        startIfHeldBack(id)
        if endStream { endRequests(id) }
    }

    /// Starts the handler of a stream whose task was held back for its request.
    private func startIfHeldBack(_ id: UInt32) {
        guard let start = streams[id]?.start else { return }
        streams[id]?.start = nil
        streams[id]?.task = start()
    }

    /// The client sends no more messages: the handler's requests end, and a
    /// single request is whole.
    private func endRequests(_ id: UInt32) {
        startIfHeldBack(id)
        guard var stream = streams[id], !stream.cancelled else { return }
        stream.requests.finish()
        if stream.awaitingRequest {
            stream.awaitingRequest = false
            releaseHeldBytes(&stream)
        }
        streams[id] = stream
        dropCompletedRequestDeadlines()
    }

    /// The client cancelled the stream, or it was failed: the handler is
    /// cancelled and what the stream holds is released; the stream itself
    /// goes once its task has ended.
    private func cancel(_ id: UInt32, context: ChannelHandlerContext) {
        guard var stream = streams[id] else { return }
        stream.cancelled = true
        stream.awaitingRequest = false
        stream.task?.cancel()
        stream.requests.finish(throwing: CancellationError())
        releaseHeldBytes(&stream)
        streams[id] = stream
        // A writer of this stream waiting for a channel that a client
        // which stopped reading keeps full would otherwise wait on.
        flow.releaseWriters(of: id, throwing: CancellationError())
        flow.unpause(id)
        if stream.start != nil {
            // Its handler never started: nothing else will end the stream.
            streamTaskEnded(id)
        }
        resumeReadingIfPossible(context: context)
    }

    /// Ends a stream with `status` on the server's own initiative (its
    /// request came too slowly, or the server is too busy to hold it): the
    /// TRAILERS go now, the handler is cancelled, its buffers released.
    private func failStream(_ id: UInt32, _ status: Status, context: ChannelHandlerContext) {
        guard let stream = streams[id], !stream.cancelled else { return }
        context.write(wrapOutboundOut(.trailers(id, status, [:])), promise: nil)
        scheduleFlush(context: context)
        cancel(id, context: context)
    }

    func channelInactive(context: ChannelHandlerContext) {
        for var stream in streams.values {
            stream.deadlineTimer?.cancel()
            stream.task?.cancel()
            stream.requests.finish(throwing: CancellationError())
            releaseHeldBytes(&stream)
        }
        streams.removeAll()
        requestTimer?.cancel()
        requestTimer = nil
        requestDeadlines.removeAll()
        flow.closed(ChannelError.ioOnClosedChannel)
        context.fireChannelInactive()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        flow.writabilityChanged(context.channel.isWritable)
        resumeReadingIfPossible(context: context)
        context.fireChannelWritabilityChanged()
    }

    // MARK: Outbound

    func read(context: ChannelHandlerContext) {
        flow.read(context, held: readingHeld(context))
    }

    /// A client that does not read its responses, or a connection holding
    /// its budget of request bytes, is not read from.
    private func readingHeld(_ context: ChannelHandlerContext) -> Bool {
        !context.channel.isWritable || (connectionBytes?.isPaused ?? false)
    }

    private func resumeReadingIfPossible(context: ChannelHandlerContext) {
        flow.resumeReading(context, held: readingHeld(context))
    }

    // MARK: Streams

    private func open(_ opened: ServerConnectionStateMachine.OpenedStream, context: ChannelHandlerContext) {
        guard let connectionBytes else { return }
        let id = opened.streamID
        let eventLoop = context.eventLoop
        let handler = NIOLoopBound(self, eventLoop: eventLoop)
        let requests = RPCMessageQueue<[UInt8]>(highWatermark: 16, lowWatermark: 4) {
            eventLoop.execute { handler.value.streamWantsMore(id) }
        }
        if opened.endStream { requests.finish() }
        // The timeout counts from the receipt of the headers: now.
        var deadlineSignal: DeadlineSignal?
        var deadlineTimer: Scheduled<Void>?
        if let timeout = opened.timeout {
            let signal = DeadlineSignal()
            deadlineSignal = signal
            deadlineTimer = eventLoop.scheduleTask(in: TimeAmount(saturating: timeout)) { signal.fire() }
        }
        // An unknown method counts as a single request: it is answered at once anyway.
        let hasSingleRequest = server.router.method(for: opened.path)?.kind.hasSingleRequest ?? true
        let streamingBytes = hasSingleRequest ? nil : StreamRequestBytes(connection: connectionBytes)
        let requestSequence: RPCAsyncSequence<[UInt8]>
        if let bytes = streamingBytes {
            requestSequence = RPCAsyncSequence {
                let message = try await requests.next()
                if let message { bytes.release(message.count) }
                return message
            }
        } else {
            // Its bytes are released when END_STREAM arrives or the stream ends.
            requestSequence = RPCAsyncSequence { try await requests.next() }
        }
        let sink = ResponseSink(streamID: id, eventLoop: eventLoop, handler: handler, writable: flow.writable)
        let call = ServerCall(
            path: opened.path,
            metadata: opened.metadata,
            timeout: opened.timeout,
            peer: peer(context),
            requests: requestSequence,
            responses: sink,
            decodingLimits: decodingLimits,
            deadlineSignal: deadlineSignal,
            values: values(context)
        )
        let awaitingRequest = hasSingleRequest && !opened.endStream
        streams[id] = Stream(
            requests: requests,
            task: nil,
            deadlineTimer: deadlineTimer,
            streamingBytes: streamingBytes,
            hasSingleRequest: hasSingleRequest,
            awaitingRequest: awaitingRequest
        )
        if awaitingRequest { awaitRequest(id, context: context) }
        let (server, handlerExecutor) = (self.server, self.handlerExecutor)
        let start = {
            Task(executorPreference: handlerExecutor) {
                await server.handle(call)
                // A call that finished ended its stream together with its
                // trailers (one trip to the event loop instead of two); only a
                // call cancelled by the client still has to.
                if !sink.didFinish {
                    eventLoop.execute { handler.value.streamTaskEnded(id) }
                }
            }
        }
        // A known method's single request that has not arrived: its handler
        // could only wait for it (an unknown method is answered at once).
        if awaitingRequest, server.router.method(for: opened.path) != nil {
            streams[id]?.start = start
        } else {
            streams[id]?.task = start()
        }
    }

    /// Releases whatever request bytes `stream` still holds.
    private func releaseHeldBytes(_ stream: inout Stream) {
        if let streamingBytes = stream.streamingBytes {
            streamingBytes.releaseAll()
        } else if stream.singleRequestBytes > 0 {
            connectionBytes?.release(stream.singleRequestBytes)
            stream.singleRequestBytes = 0
        }
    }

    // MARK: Request deadlines

    /// Starts the clock on a single request that has not ended yet.
    private func awaitRequest(_ id: UInt32, context: ChannelHandlerContext) {
        guard let timeout = limits.requestTimeout else { return }
        let due = NIODeadline.now() + timeout
        requestDeadlines.append((id, due))
        if requestTimer == nil { scheduleRequestCheck(at: due, context: context) }
    }

    private func scheduleRequestCheck(at due: NIODeadline, context: ChannelHandlerContext) {
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        requestTimer = context.eventLoop.scheduleTask(deadline: due) {
            handler.value.checkRequestDeadlines()
        }
    }

    /// Fails every single request still incomplete at its deadline with
    /// DEADLINE_EXCEEDED, then waits for the next one.
    private func checkRequestDeadlines() {
        requestTimer = nil
        guard let context else { return }
        let now = NIODeadline.now()
        while let first = requestDeadlines.first {
            guard streams[first.id]?.awaitingRequest == true else {
                requestDeadlines.removeFirst()
                continue
            }
            guard first.due <= now else {
                scheduleRequestCheck(at: first.due, context: context)
                return
            }
            requestDeadlines.removeFirst()
            let allowed = limits.requestTimeout?.roundedDescription ?? "the time allowed"
            failStream(
                first.id,
                Status(
                    code: .deadlineExceeded,
                    message: "the request did not arrive whole within \(allowed) of its headers"
                ), context: context)
        }
    }

    /// Drops the deadlines at the front whose requests are whole, so the
    /// list stays as short as the requests really outstanding.
    private func dropCompletedRequestDeadlines() {
        while let first = requestDeadlines.first, streams[first.id]?.awaitingRequest != true {
            requestDeadlines.removeFirst()
        }
    }

    private func streamWantsMore(_ id: UInt32) {
        guard flow.unpause(id), let context else { return }
        resumeReadingIfPossible(context: context)
    }

    fileprivate func streamTaskEnded(_ id: UInt32) {
        if var stream = streams.removeValue(forKey: id) {
            stream.deadlineTimer?.cancel()
            releaseHeldBytes(&stream)
        }
        // The stream is over (its status sent, say at the deadline) while a
        // handler task it left behind may still wait to write.
        flow.releaseWriters(of: id, throwing: CancellationError())
        if flow.unpause(id), let context {
            resumeReadingIfPossible(context: context)
        }
    }

    /// Writes a response frame for a stream's task (on the event loop).
    fileprivate func send(_ outbound: ServerStreamOutbound) {
        guard let context else { return }
        context.write(wrapOutboundOut(outbound), promise: nil)
        scheduleFlush(context: context)
    }

    /// Resumes `continuation` once the channel can take more writes, or
    /// with `CancellationError` if stream `id` is cancelled first.
    fileprivate func waitUntilWritable(_ id: UInt32, _ continuation: CheckedContinuation<Void, any Error>) {
        guard let context, context.channel.isActive else {
            continuation.resume(throwing: ChannelError.ioOnClosedChannel)
            return
        }
        if context.channel.isWritable {
            continuation.resume()
        } else if streams[id]?.cancelled ?? true {
            continuation.resume(throwing: CancellationError())
        } else {
            flow.wait(id, continuation)
        }
    }

    private func scheduleFlush(context: ChannelHandlerContext) {
        flow.scheduleFlush(on: context.eventLoop) { [weak self] in self?.context?.flush() }
    }

    /// The remote address as text for every call's `ServerCall.peer`,
    /// formatted once per connection instead of once per call.
    private func peer(_ context: ChannelHandlerContext) -> String {
        if let peerDescription { return peerDescription }
        let description = Self.describe(context.remoteAddress)
        peerDescription = description
        return description
    }

    /// What the security layer says about the connection, for every call's
    /// `ServerCall.values`; asked once per connection.
    private func values(_ context: ChannelHandlerContext) -> ServerContextValues {
        if let connectionValues { return connectionValues }
        let values = security?.connectionValues(context.channel) ?? ServerContextValues()
        connectionValues = values
        return values
    }

    private static func describe(_ address: SocketAddress?) -> String {
        guard let address else { return "unknown" }
        if let ip = address.ipAddress, let port = address.port {
            return address.protocol == .inet6 ? "[\(ip)]:\(port)" : "\(ip):\(port)"
        }
        return address.description
    }
}

/// The response side of one server stream, used by the call's task.
private final class ResponseSink: ServerResponseSink {
    private let streamID: UInt32
    private let eventLoop: any EventLoop
    // NIOLoopBound: the handler is only touched inside `eventLoop.execute`.
    private let handler: NIOLoopBound<ServerStreamDispatcher>
    private let budget: WriteBudget
    private let finished = Atomic(false)

    init(
        streamID: UInt32,
        eventLoop: any EventLoop,
        handler: NIOLoopBound<ServerStreamDispatcher>,
        writable: AtomicFlag
    ) {
        self.streamID = streamID
        self.eventLoop = eventLoop
        self.handler = handler
        self.budget = WriteBudget(writable: writable)
    }

    func write(_ message: [UInt8]) async throws {
        guard message.count <= Frame.largestEncodablePayload else {
            // A handler's bug: it fails its call, not the process.
            throw RPCError(.internal, "internal error")
        }
        let (streamID, handler, budget, size) = (self.streamID, self.handler, self.budget, message.count)
        if budget.reserve(size) {
            // The usual case: hand the write to the event loop and go on.
            eventLoop.execute {
                handler.value.send(.message(streamID, message))
                budget.release(size)
            }
            return
        }
        // The channel is full, or this writer is far ahead of the event loop:
        // wait until the write is done and the channel can take more.
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            eventLoop.execute {
                handler.value.send(.message(streamID, message))
                budget.release(size)
                handler.value.waitUntilWritable(streamID, continuation)
            }
        }
    }

    func finish(status: Status, trailers: Metadata) {
        finished.store(true, ordering: .releasing)
        let streamID = self.streamID
        let handler = self.handler
        // `RPCServer.handle` finishes as its last act: the trailers and the
        // end of the stream's bookkeeping share one trip to the event loop.
        eventLoop.execute {
            handler.value.send(.trailers(streamID, status, trailers))
            handler.value.streamTaskEnded(streamID)
        }
    }

    /// Whether ``finish(status:trailers:)`` was called (and so ended the stream).
    var didFinish: Bool { finished.load(ordering: .acquiring) }
}
