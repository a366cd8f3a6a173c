public import BigRPC
import BigRPCCodec
public import Logging
public import NIOCore
import NIOPosix
import Synchronization

/// The server side of the wire protocol of `docs/PROTOCOL.md` on TCP over
/// SwiftNIO: a ``ServerTransport`` that listens, enforces the connection
/// limits and hands each call to an ``RPCServer``.
///
/// ``listen(_:)`` serves until a graceful shutdown (``beginGracefulShutdown()``)
/// has finished: it stops accepting, sends GOAWAY to every connection, lets
/// the streams already opened finish within the drain timeout, then closes.
/// A swift-service-lifecycle user calls ``beginGracefulShutdown()`` from its
/// graceful-shutdown handler.
public final class BigRPCServer: ServerTransport, Sendable {
    public struct Configuration: Sendable {
        public var host = "127.0.0.1"
        /// 0 picks a free port; see ``listeningAddress()``.
        public var port = 0
        /// The largest frame payload accepted, and the largest message.
        public var maxPayloadSize = Frame.defaultMaxPayloadSize
        /// Streams open at once on one connection before new ones get
        /// RESOURCE_EXHAUSTED.
        public var maxConcurrentStreams = 256
        /// Streams open at once across every connection; further ones are
        /// refused with RESOURCE_EXHAUSTED (and count as churn, below).
        public var maxOpenStreams = 50_000
        /// Streams open at once across the connections from one IPv4
        /// address or IPv6 /64 (generous: many clients may share an
        /// address behind a NAT).
        public var maxOpenStreamsPerAddress = 2_048
        /// Streams of one connection that may end unserved (cancelled by
        /// the client while open, or refused) within ``streamChurnWindow``;
        /// one more closes the connection with GOAWAY RESOURCE_EXHAUSTED.
        /// The defence against "rapid reset" (CVE-2023-44487).
        public var maxStreamChurn = 200
        public var streamChurnWindow: Duration = .seconds(10)
        /// A connection with no open stream that sends nothing this long is closed.
        public var idleTimeout: Duration? = .seconds(300)
        /// A frame must arrive whole this soon after its first byte.
        public var readTimeout: Duration? = .seconds(10)
        /// A unary or server-streaming request must arrive whole (its
        /// END_STREAM) this soon after its HEADERS, or the stream ends with
        /// DEADLINE_EXCEEDED, whatever timeout the client sent (or none).
        /// Client and bidirectional streams are long-lived by design and are
        /// bounded by the byte budgets instead. Nil: no limit.
        public var requestTimeout: Duration? = .seconds(10)
        /// A new connection must send its first HEADERS this soon, or it is
        /// closed (GOAWAY code 0). Nil: no limit.
        public var connectionSetupTimeout: Duration? = .seconds(5)
        /// Request bytes one connection may make the server hold (messages
        /// its handlers have not taken, single requests not yet whole)
        /// before the server stops reading it until they are taken.
        public var maxBufferedRequestBytesPerConnection = 16 * 1024 * 1024
        /// Request bytes all connections together may make the server hold;
        /// a message past it fails its stream with RESOURCE_EXHAUSTED
        /// ("server busy"), a large frame past it its connection.
        public var maxBufferedRequestBytes = 256 * 1024 * 1024
        /// Connections open at once; further ones are accepted and closed at
        /// once (GOAWAY RESOURCE_EXHAUSTED). Lowered at start to what the
        /// descriptor limit leaves room for (see ``effectiveMaxConnections``).
        public var maxConnections = 10_000
        /// Connections open at once from one IPv4 address or IPv6 /64.
        public var maxConnectionsPerAddress = 500
        /// How long a graceful shutdown waits for open streams.
        public var drainTimeout: Duration = .seconds(10)
        /// The listen backlog: connections the kernel queues before accept.
        public var backlog: Int32 = 4096
        /// Runs each call's handler on its connection's event loop instead of
        /// Swift's global executor: no thread hop per call, but a handler
        /// that blocks (file or database I/O, heavy CPU work without a
        /// suspension point) stalls every connection of that loop. Off by
        /// default; for handlers that only compute briefly and await.
        public var runsHandlersOnEventLoops = false
        /// Hands memory freed after a burst (many request bytes held, or many
        /// streams open, then far fewer) back to the system with glibc's
        /// `malloc_trim`, checked this often (once a second suits a server
        /// process); nil, the default: never. Off by default because the
        /// heap is the process's, not the transport's: a process that hosts
        /// several servers, or tests, decides. See `MemoryTrim`.
        public var memoryTrimInterval: Duration?
        /// What counts as a burst for ``memoryTrimInterval``.
        var memoryTrimMarks = MemoryTrim.Marks()
        /// A layer under the frames of every connection, such as TLS
        /// (`BigRPCTLS.TLSServerSecurity`); nil serves plain TCP.
        public var security: (any ServerConnectionSecurity)?
        /// Told of connections opened, closed and refused, and of protocol
        /// violations (for metrics); nil tells no one.
        public var observer: (any ServerTransportObserver)?

        public init() {}
    }

    private enum State {
        case idle
        case running(serverChannel: any Channel)
        case draining
        case stopped
    }

    private struct Shared {
        var state: State = .idle
        var connections: [ObjectIdentifier: any Channel] = [:]
        var connectionsPerAddress: [ConnectionAddress: Int] = [:]
        /// The open-stream budget of each address with a connection.
        var streamsPerAddress: [ConnectionAddress: OpenStreamBudget] = [:]
        var refusedConnections = 0
        var refusalLog = LogThrottle(interval: .seconds(10))
        var address: SocketAddress?
        var addressWaiters: [CheckedContinuation<SocketAddress, any Error>] = []
        var drainWaiters: [CheckedContinuation<Void, Never>] = []
    }

    public let configuration: Configuration
    private let group: any EventLoopGroup
    private let logger: Logger
    private let shared = Mutex(Shared())
    /// Request bytes held across every connection.
    private let requestBytes: RequestByteBudget
    /// Streams open across every connection.
    private let openStreams: OpenStreamBudget
    private let memoryTrim: MemoryTrim
    /// ``Configuration/maxConnections``, lowered to what the process's
    /// descriptor limit (when the server was made) leaves room for.
    public let effectiveMaxConnections: Int

    public init(
        configuration: Configuration = Configuration(),
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "bigrpc.server")
    ) {
        self.configuration = configuration
        self.group = eventLoopGroup
        self.logger = logger
        self.requestBytes = RequestByteBudget(limit: configuration.maxBufferedRequestBytes)
        self.openStreams = OpenStreamBudget(limit: configuration.maxOpenStreams)
        self.memoryTrim = MemoryTrim(marks: configuration.memoryTrimMarks)
        self.effectiveMaxConnections = DescriptorLimit.connectionCap(
            configured: configuration.maxConnections,
            descriptorLimit: DescriptorLimit.current()
        )
    }

    /// Connections accepted and closed at once because a cap was reached,
    /// since the server started.
    public var refusedConnections: Int {
        shared.withLock { $0.refusedConnections }
    }

    /// Times the server handed memory back to the system after a burst.
    var memoryTrims: Int { memoryTrim.trims }

    /// The bound address, once ``listen(_:)`` has bound the socket.
    public func listeningAddress() async throws -> SocketAddress {
        try await withCheckedThrowingContinuation { continuation in
            let address: SocketAddress? = shared.withLock { shared in
                if let address = shared.address { return address }
                shared.addressWaiters.append(continuation)
                return nil
            }
            if let address { continuation.resume(returning: address) }
        }
    }

    /// Binds, hands every call to `server` until a graceful shutdown
    /// completes, and returns. Cancelling the calling task closes every
    /// connection at once.
    public func listen(_ server: RPCServer) async throws {
        let serverChannel: any Channel
        do {
            serverChannel = try await bind(server)
        } catch {
            let waiters = shared.withLock { shared in
                shared.state = .stopped
                defer { shared.addressWaiters.removeAll() }
                return shared.addressWaiters
            }
            for waiter in waiters { waiter.resume(throwing: error) }
            throw error
        }
        let trimTask = configuration.memoryTrimInterval.map { interval in
            let (memoryTrim, requestBytes, openStreams) = (self.memoryTrim, self.requestBytes, self.openStreams)
            let delay = TimeAmount(saturating: interval)
            return group.any().scheduleRepeatedTask(initialDelay: delay, delay: delay) { _ in
                memoryTrim.sample(requestBytes: requestBytes.heldBytes, openStreams: openStreams.current)
            }
        }
        defer { trimTask?.cancel() }
        try await withTaskCancellationHandler {
            try await serverChannel.closeFuture.get()
            await waitUntilDrained()
        } onCancel: {
            self.closeNow()
        }
    }

    /// Starts a graceful shutdown: new connections are refused, every
    /// connection gets GOAWAY, and ``listen(_:)`` returns once the open streams
    /// have finished (or the drain timeout passed). Before ``listen(_:)``
    /// binds, makes it return at once.
    public func beginGracefulShutdown() {
        let (serverChannel, connections): ((any Channel)?, [any Channel]) = shared.withLock { shared in
            if case .idle = shared.state { shared.state = .stopped }
            guard case .running(let serverChannel) = shared.state else { return (nil, []) }
            shared.state = .draining
            return (serverChannel, Array(shared.connections.values))
        }
        guard let serverChannel else { return }
        logger.info("graceful shutdown: draining \(connections.count) connection(s)")
        serverChannel.close(promise: nil)
        for connection in connections {
            connection.triggerUserOutboundEvent(ServerDrainEvent(), promise: nil)
        }
        let timeout = TimeAmount(saturating: configuration.drainTimeout)
        group.any().scheduleTask(in: timeout) { self.closeNow() }
        finishDrainIfDone()
    }

    // MARK: Internals

    private func bind(_ rpcServer: RPCServer) async throws -> any Channel {
        let configuration = self.configuration
        let logger = self.logger
        let requestBytes = self.requestBytes
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: configuration.backlog)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    // Accept errors (EMFILE...) pause accepting briefly, and are logged.
                    try channel.pipeline.syncOperations.addHandlers(
                        AcceptBackoffHandler(shouldForwardIOErrorCaught: true) { _ in .milliseconds(250) },
                        AcceptErrorLogger(logger: logger)
                    )
                }
            }
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                let streamBudgets: ConnectionStreamBudgets
                switch self.register(channel) {
                case .refused(let refusal):
                    return channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(ConnectionRefusalHandler(message: refusal))
                    }
                case .accepted(let addressStreams):
                    streamBudgets = ConnectionStreamBudgets(process: self.openStreams, address: addressStreams)
                }
                return channel.eventLoop.makeCompletedFuture {
                    try configuration.security?.configure(channel)
                    try BigRPCServer.configurePipeline(
                        channel.pipeline.syncOperations,
                        eventLoop: channel.eventLoop,
                        server: rpcServer,
                        configuration: configuration,
                        requestBytes: requestBytes,
                        streamBudgets: streamBudgets,
                        logger: logger
                    )
                }
            }
            .bind(host: configuration.host, port: configuration.port)
            .get()
        let address = channel.localAddress
        let (waiters, stoppedEarly): ([CheckedContinuation<SocketAddress, any Error>], Bool) = shared.withLock { shared in
            // A shutdown that came before the bind stops the server at once.
            let stoppedEarly: Bool
            if case .idle = shared.state {
                shared.state = .running(serverChannel: channel)
                stoppedEarly = false
            } else {
                stoppedEarly = true
            }
            shared.address = address
            defer { shared.addressWaiters.removeAll() }
            return (shared.addressWaiters, stoppedEarly)
        }
        if stoppedEarly { channel.close(promise: nil) }
        if let address {
            for waiter in waiters { waiter.resume(returning: address) }
            logger.info(
                "listening on \(address)",
                metadata: [
                    "max-connections": "\(effectiveMaxConnections)",
                    "max-connections-per-address": "\(configuration.maxConnectionsPerAddress)",
                    "descriptor-limit": "\(DescriptorLimit.current().map(String.init) ?? "unlimited")",
                ])
        }
        return channel
    }

    static func configurePipeline(
        _ pipeline: ChannelPipeline.SynchronousOperations,
        eventLoop: any EventLoop,
        server: RPCServer,
        configuration: Configuration,
        requestBytes: RequestByteBudget,
        streamBudgets: ConnectionStreamBudgets? = nil,
        logger: Logger
    ) throws {
        try pipeline.addHandler(
            ByteToMessageHandler(
                FrameDecoder(
                    maxPayloadSize: configuration.maxPayloadSize,
                    readTimeout: configuration.readTimeout.map(TimeAmount.init(saturating:)),
                    budget: requestBytes
                )))
        try pipeline.addHandler(FrameEncoder())
        try pipeline.addHandler(
            ServerConnectionHandler(
                configuration: .init(
                    maxConcurrentStreams: configuration.maxConcurrentStreams,
                    maxPayloadSize: configuration.maxPayloadSize,
                    maxStreamChurn: configuration.maxStreamChurn,
                    churnWindow: TimeAmount(saturating: configuration.streamChurnWindow)
                ),
                idleTimeout: configuration.idleTimeout.map(TimeAmount.init(saturating:)),
                setupTimeout: configuration.connectionSetupTimeout.map(TimeAmount.init(saturating:)),
                streamBudgets: streamBudgets,
                observer: configuration.observer,
                logger: logger
            ))
        try pipeline.addHandler(
            ServerStreamDispatcher(
                server: server,
                decodingLimits: ProtoDecodingLimits(maxBytes: configuration.maxPayloadSize),
                limits: .init(
                    requestTimeout: configuration.requestTimeout.map(TimeAmount.init(saturating:)),
                    maxBufferedRequestBytesPerConnection: configuration.maxBufferedRequestBytesPerConnection,
                    process: requestBytes
                ),
                handlerExecutor: configuration.runsHandlersOnEventLoops
                    ? EventLoopTaskExecutor(eventLoop: eventLoop) : nil,
                security: configuration.security
            ))
    }

    private enum Registration {
        case refused(String)
        /// With the open-stream budget of the connection's address.
        case accepted(OpenStreamBudget?)
    }

    /// Counts a new connection against the caps; says why it is refused,
    /// or that it may stay (then it is tracked until it closes).
    private func register(_ channel: any Channel) -> Registration {
        let id = ObjectIdentifier(channel)
        let address = ConnectionAddress(channel.remoteAddress)
        let (maxTotal, maxPerAddress) = (effectiveMaxConnections, configuration.maxConnectionsPerAddress)
        let maxStreamsPerAddress = configuration.maxOpenStreamsPerAddress
        enum Verdict {
            case accepted(draining: Bool, OpenStreamBudget?)
            case refused(String, LogThrottle.Decision)
        }
        let verdict: Verdict = shared.withLock { shared in
            var refusal: String?
            if shared.connections.count >= maxTotal {
                refusal = "too many connections (limit \(maxTotal))"
            } else if let address, shared.connectionsPerAddress[address, default: 0] >= maxPerAddress {
                refusal = "too many connections from one address (limit \(maxPerAddress))"
            }
            if let refusal {
                shared.refusedConnections += 1
                configuration.observer?.connectionRefused()
                return .refused(refusal, shared.refusalLog.record(at: .now()))
            }
            shared.connections[id] = channel
            var addressStreams: OpenStreamBudget?
            if let address {
                shared.connectionsPerAddress[address, default: 0] += 1
                addressStreams = shared.streamsPerAddress[address] ?? OpenStreamBudget(limit: maxStreamsPerAddress)
                shared.streamsPerAddress[address] = addressStreams
            }
            if case .draining = shared.state { return .accepted(draining: true, addressStreams) }
            return .accepted(draining: false, addressStreams)
        }
        switch verdict {
        case .refused(let reason, let decision):
            switch decision {
            case .log(let count): logRefusals(count, reason: reason)
            case .flushLater(let due):
                channel.eventLoop.scheduleTask(deadline: due) {
                    if let count = self.shared.withLock({ $0.refusalLog.flush(at: .now()) }) {
                        self.logRefusals(count, reason: reason)
                    }
                }
            case .quiet: break
            }
            return .refused(reason)
        case .accepted(let draining, let addressStreams):
            configuration.observer?.connectionOpened()
            if draining {
                channel.triggerUserOutboundEvent(ServerDrainEvent(), promise: nil)
            }
            channel.closeFuture.whenComplete { _ in
                self.configuration.observer?.connectionClosed()
                self.shared.withLock { shared in
                    _ = shared.connections.removeValue(forKey: id)
                    if let address {
                        let remaining = shared.connectionsPerAddress[address, default: 1] - 1
                        shared.connectionsPerAddress[address] = remaining > 0 ? remaining : nil
                        if remaining <= 0 { shared.streamsPerAddress[address] = nil }
                    }
                }
                self.finishDrainIfDone()
            }
            return .accepted(addressStreams)
        }
    }

    private func logRefusals(_ count: Int, reason: String) {
        logger.warning(
            "refused connections over a cap",
            metadata: [
                "refused": "\(count)", "interval": "10 s", "last-reason": "\(reason)",
            ])
    }

    private func finishDrainIfDone() {
        let waiters: [CheckedContinuation<Void, Never>] = shared.withLock { shared in
            guard case .draining = shared.state, shared.connections.isEmpty else { return [] }
            shared.state = .stopped
            defer { shared.drainWaiters.removeAll() }
            return shared.drainWaiters
        }
        for waiter in waiters { waiter.resume() }
    }

    private func waitUntilDrained() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done: Bool = shared.withLock { shared in
                switch shared.state {
                case .stopped: return true
                case .idle, .running:
                    // The server channel closed without a graceful shutdown
                    // (an error): close the connections now.
                    shared.state = .draining
                    shared.drainWaiters.append(continuation)
                    return false
                case .draining:
                    shared.drainWaiters.append(continuation)
                    return false
                }
            }
            if done {
                continuation.resume()
            } else {
                finishDrainIfDone()
            }
        }
    }

    /// Closes the listener and every connection immediately.
    private func closeNow() {
        let (serverChannel, connections): ((any Channel)?, [any Channel]) = shared.withLock { shared in
            let connections = Array(shared.connections.values)
            if case .running(let channel) = shared.state {
                shared.state = .draining
                return (channel, connections)
            }
            if case .idle = shared.state { shared.state = .stopped }
            return (nil, connections)
        }
        serverChannel?.close(promise: nil)
        for connection in connections { connection.close(promise: nil) }
        finishDrainIfDone()
    }
}
