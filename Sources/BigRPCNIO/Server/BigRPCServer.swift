public import BigRPC
import BigRPCCodec
import BigRPCStandardServices
public import Logging
public import NIOCore
import NIOPosix
public import ServiceLifecycle
import Synchronization

/// A BigRPC server on TCP: the wire protocol of `docs/PROTOCOL.md` over
/// SwiftNIO, serving `services` plus the health and reflection services.
///
/// Run it with swift-service-lifecycle (SIGTERM/SIGINT start a graceful
/// shutdown) or call ``run()`` directly. A graceful shutdown stops accepting,
/// sends GOAWAY to every connection, lets the streams already opened finish
/// within the drain timeout, then closes.
public final class BigRPCServer: Service, Sendable {
    public struct Configuration: Sendable {
        public var host = "127.0.0.1"
        /// 0 picks a free port; see ``listeningAddress()``.
        public var port = 0
        /// The largest frame payload accepted, and the largest message.
        public var maxPayloadSize = Frame.defaultMaxPayloadSize
        /// Streams open at once on one connection before new ones get
        /// RESOURCE_EXHAUSTED.
        public var maxConcurrentStreams = 256
        /// A connection with no open stream that sends nothing this long is closed.
        public var idleTimeout: Duration? = .seconds(300)
        /// A frame must arrive whole this soon after its first byte.
        public var readTimeout: Duration? = .seconds(10)
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
        var address: SocketAddress?
        var addressWaiters: [CheckedContinuation<SocketAddress, any Error>] = []
        var drainWaiters: [CheckedContinuation<Void, Never>] = []
    }

    public let configuration: Configuration
    private let rpcServer: RPCServer
    private let health: HealthService
    private let group: any EventLoopGroup
    private let logger: Logger
    private let shared = Mutex(Shared())

    public init(
        services: [any RegistrableRPCService],
        interceptors: [any ServerInterceptor] = [],
        configuration: Configuration = Configuration(),
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "bigrpc.server")
    ) {
        var router = RPCRouter()
        for service in services { router.register(service) }
        let names = router.services + ["bigrpc.health.v1.Health", "bigrpc.reflection.v1.Reflection"]
        let health = HealthService(services: names)
        self.health = health
        self.rpcServer = RPCServer(
            services: services + [health, ReflectionService(services: names)],
            interceptors: interceptors,
            logger: logger
        )
        self.configuration = configuration
        self.group = eventLoopGroup
        self.logger = logger
    }

    /// The bound address, once ``run()`` has bound the socket.
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

    /// Binds, serves until a graceful shutdown completes, and returns.
    /// Cancelling the calling task closes every connection at once.
    public func run() async throws {
        let serverChannel: any Channel
        do {
            serverChannel = try await bind()
        } catch {
            let waiters = shared.withLock { shared in
                shared.state = .stopped
                defer { shared.addressWaiters.removeAll() }
                return shared.addressWaiters
            }
            for waiter in waiters { waiter.resume(throwing: error) }
            throw error
        }
        try await withTaskCancellationHandler {
            try await withGracefulShutdownHandler {
                try await serverChannel.closeFuture.get()
            } onGracefulShutdown: {
                self.beginGracefulShutdown()
            }
            await waitUntilDrained()
        } onCancel: {
            self.closeNow()
        }
    }

    /// Starts a graceful shutdown: new connections are refused, every
    /// connection gets GOAWAY, and ``run()`` returns once the open streams
    /// have finished (or the drain timeout passed).
    public func beginGracefulShutdown() {
        let (serverChannel, connections): ((any Channel)?, [any Channel]) = shared.withLock { shared in
            guard case .running(let serverChannel) = shared.state else { return (nil, []) }
            shared.state = .draining
            return (serverChannel, Array(shared.connections.values))
        }
        guard let serverChannel else { return }
        logger.info("graceful shutdown: draining \(connections.count) connection(s)")
        health.setServing(false)
        serverChannel.close(promise: nil)
        for connection in connections {
            connection.triggerUserOutboundEvent(ServerDrainEvent(), promise: nil)
        }
        let timeout = TimeAmount(saturating: configuration.drainTimeout)
        group.any().scheduleTask(in: timeout) { self.closeNow() }
        finishDrainIfDone()
    }

    // MARK: Internals

    private func bind() async throws -> any Channel {
        let configuration = self.configuration
        let rpcServer = self.rpcServer
        let logger = self.logger
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: configuration.backlog)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                self.register(channel)
                return channel.eventLoop.makeCompletedFuture {
                    try BigRPCServer.configurePipeline(
                        channel.pipeline.syncOperations,
                        eventLoop: channel.eventLoop,
                        server: rpcServer,
                        configuration: configuration,
                        logger: logger
                    )
                }
            }
            .bind(host: configuration.host, port: configuration.port)
            .get()
        let address = channel.localAddress
        let waiters: [CheckedContinuation<SocketAddress, any Error>] = shared.withLock { shared in
            shared.state = .running(serverChannel: channel)
            shared.address = address
            defer { shared.addressWaiters.removeAll() }
            return shared.addressWaiters
        }
        if let address {
            for waiter in waiters { waiter.resume(returning: address) }
            logger.info("listening on \(address)")
        }
        return channel
    }

    static func configurePipeline(
        _ pipeline: ChannelPipeline.SynchronousOperations,
        eventLoop: any EventLoop,
        server: RPCServer,
        configuration: Configuration,
        logger: Logger
    ) throws {
        try pipeline.addHandler(ByteToMessageHandler(FrameDecoder(
            maxPayloadSize: configuration.maxPayloadSize,
            readTimeout: configuration.readTimeout.map(TimeAmount.init(saturating:))
        )))
        try pipeline.addHandler(FrameEncoder())
        try pipeline.addHandler(ServerConnectionHandler(
            configuration: .init(
                maxConcurrentStreams: configuration.maxConcurrentStreams,
                maxPayloadSize: configuration.maxPayloadSize
            ),
            idleTimeout: configuration.idleTimeout.map(TimeAmount.init(saturating:)),
            logger: logger
        ))
        try pipeline.addHandler(ServerStreamDispatcher(
            server: server,
            decodingLimits: ProtoDecodingLimits(maxBytes: configuration.maxPayloadSize),
            handlerExecutor: configuration.runsHandlersOnEventLoops
                ? EventLoopTaskExecutor(eventLoop: eventLoop) : nil
        ))
    }

    private func register(_ channel: any Channel) {
        let id = ObjectIdentifier(channel)
        let draining: Bool = shared.withLock { shared in
            shared.connections[id] = channel
            if case .draining = shared.state { return true }
            return false
        }
        if draining {
            channel.triggerUserOutboundEvent(ServerDrainEvent(), promise: nil)
        }
        channel.closeFuture.whenComplete { _ in
            self.shared.withLock { _ = $0.connections.removeValue(forKey: id) }
            self.finishDrainIfDone()
        }
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
