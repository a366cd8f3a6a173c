import Atomics
import BigRPC
import BigRPCCodec
import NIOCore

/// The dispatch concern of a server connection: runs each stream's call in
/// its own task on ``RPCServer``, feeds it the request messages, and carries
/// its responses back to the event loop.
///
/// Backpressure both ways: when a handler falls behind on its requests (its
/// queue passes the high watermark) or the client stops reading responses
/// (the channel is not writable), the connection stops reading; response
/// writers suspend while the channel is not writable.
final class ServerStreamDispatcher: ChannelDuplexHandler {
    typealias InboundIn = ServerStreamEvent
    typealias OutboundIn = ServerStreamOutbound
    typealias OutboundOut = ServerStreamOutbound

    private struct Stream {
        let requests: RPCMessageQueue<[UInt8]>
        var task: Task<Void, Never>?
        /// Fires the call's `DeadlineSignal`; armed and disarmed on the
        /// event loop (no cross-thread timer work per call).
        var deadlineTimer: Scheduled<Void>?
        /// The client sent CANCEL; the task may not have ended yet.
        var cancelled = false
    }

    private let server: RPCServer
    private let decodingLimits: ProtoDecodingLimits
    private var streams: [UInt32: Stream] = [:]
    /// Streams whose request queue asked the connection to stop reading.
    private var pausedStreams: Set<UInt32> = []
    private var readPending = false
    private var flushScheduled = false
    /// Response writers waiting for the channel to drain, by stream.
    private var writabilityWaiters = WritabilityWaiters<UInt32>()
    /// Mirrors the channel's writability for response writers off the event
    /// loop, so the common case (writable) needs no round trip.
    private let writable = ManagedAtomic(true)
    private var context: ChannelHandlerContext?
    private var peerDescription: String?

    /// Where handler tasks run: nil for Swift's global executor.
    private let handlerExecutor: EventLoopTaskExecutor?

    init(server: RPCServer, decodingLimits: ProtoDecodingLimits, handlerExecutor: EventLoopTaskExecutor? = nil) {
        self.server = server
        self.decodingLimits = decodingLimits
        self.handlerExecutor = handlerExecutor
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        writable.store(context.channel.isWritable, ordering: .relaxed)
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
            guard let stream = streams[id] else { return }
            if !stream.requests.yield(Array(payload.readableBytesView)) {
                pausedStreams.insert(id)
            }
            if endStream { stream.requests.finish() }
        case .cancel(let id):
            guard let stream = streams[id] else { return }
            streams[id]?.cancelled = true
            stream.task?.cancel()
            stream.requests.finish(throwing: CancellationError())
            // A writer of this stream waiting for a channel that a client
            // which stopped reading keeps full would otherwise wait on.
            writabilityWaiters.release(id, throwing: CancellationError())
            pausedStreams.remove(id)
            resumeReadingIfPossible(context: context)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        for stream in streams.values {
            stream.deadlineTimer?.cancel()
            stream.task?.cancel()
            stream.requests.finish(throwing: CancellationError())
        }
        pausedStreams.removeAll()
        writabilityWaiters.failAll(ChannelError.ioOnClosedChannel)
        context.fireChannelInactive()
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

    // MARK: Outbound

    func read(context: ChannelHandlerContext) {
        if pausedStreams.isEmpty && context.channel.isWritable {
            context.read()
        } else {
            readPending = true
        }
    }

    private func resumeReadingIfPossible(context: ChannelHandlerContext) {
        guard readPending, pausedStreams.isEmpty, context.channel.isWritable else { return }
        readPending = false
        context.read()
    }

    // MARK: Streams

    private func open(_ opened: ServerConnectionStateMachine.OpenedStream, context: ChannelHandlerContext) {
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
        let sink = ResponseSink(streamID: id, eventLoop: eventLoop, handler: handler, writable: writable)
        let call = ServerCall(
            path: opened.path,
            metadata: opened.metadata,
            timeout: opened.timeout,
            peer: peer(context),
            requests: RPCAsyncSequence { try await requests.next() },
            responses: sink,
            decodingLimits: decodingLimits,
            deadlineSignal: deadlineSignal
        )
        streams[id] = Stream(requests: requests, task: nil, deadlineTimer: deadlineTimer)
        let server = self.server
        streams[id]?.task = Task(executorPreference: handlerExecutor) {
            await server.handle(call)
            // A call that finished ended its stream together with its
            // trailers (one trip to the event loop instead of two); only a
            // call cancelled by the client still has to.
            if !sink.didFinish {
                eventLoop.execute { handler.value.streamTaskEnded(id) }
            }
        }
    }

    private func streamWantsMore(_ id: UInt32) {
        guard pausedStreams.remove(id) != nil, let context else { return }
        resumeReadingIfPossible(context: context)
    }

    fileprivate func streamTaskEnded(_ id: UInt32) {
        streams.removeValue(forKey: id)?.deadlineTimer?.cancel()
        // The stream is over (its status sent, say at the deadline) while a
        // handler task it left behind may still wait to write.
        writabilityWaiters.release(id, throwing: CancellationError())
        if pausedStreams.remove(id) != nil, let context {
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
            writabilityWaiters.append(id, continuation)
        }
    }

    /// Flushes once per event loop tick: responses written by many streams
    /// in the same tick leave in one syscall.
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

    /// The remote address as text for every call's `ServerCall.peer`,
    /// formatted once per connection instead of once per call.
    private func peer(_ context: ChannelHandlerContext) -> String {
        if let peerDescription { return peerDescription }
        let description = Self.describe(context.remoteAddress)
        peerDescription = description
        return description
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
    private let finished = ManagedAtomic(false)

    init(
        streamID: UInt32,
        eventLoop: any EventLoop,
        handler: NIOLoopBound<ServerStreamDispatcher>,
        writable: ManagedAtomic<Bool>
    ) {
        self.streamID = streamID
        self.eventLoop = eventLoop
        self.handler = handler
        self.budget = WriteBudget(writable: writable)
    }

    func write(_ message: [UInt8]) async throws {
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
