public import BigRPC
public import Logging
public import NIOCore
import NIOPosix
import Synchronization

/// A ``ClientTransport`` over TCP to one BigRPC server.
///
/// All calls share one connection, opened on first use. When the server goes
/// away (GOAWAY, restart, network failure) the next call opens a new one;
/// calls the server never processed fail with UNAVAILABLE and may be retried.
public final class BigRPCClientTransport: ClientTransport, Sendable {
    public struct Configuration: Sendable {
        /// How long to wait for a TCP connection.
        public var connectTimeout: Duration = .seconds(5)
        /// The largest frame payload accepted from the server.
        public var maxPayloadSize = Frame.defaultMaxPayloadSize
        /// A frame from the server must arrive whole this soon after its first byte.
        public var readTimeout: Duration? = .seconds(30)
        /// The local address to connect from (a multi-homed host, or tests
        /// that play several clients on 127.0.0.x); nil lets the system choose.
        public var localHost: String?
        /// A layer under the frames of every connection, such as TLS
        /// (`BigRPCTLS.TLSClientSecurity`); nil connects with plain TCP.
        public var security: (any ClientConnectionSecurity)?
        /// Whether the server takes HALF_CLOSE frames (wire revision 1.1, as
        /// every server of this project does): a client-streaming or
        /// bidirectional call then sends each request as it is written and
        /// half-closes with HALF_CLOSE. False for a revision-1.0 server: the
        /// last request is held back until the call half-closes, to carry
        /// END_STREAM, and a bidirectional `finish()` after a request written
        /// without `isLast` throws FAILED_PRECONDITION.
        public var halfClose = true
        /// PINGs that find a dead link in seconds; nil (the default) sends
        /// none, and a dead link is found when TCP gives up.
        public var keepalive: Keepalive?
        /// Told of each connection opened and closed (for a gauge of open
        /// connections); nil tells nobody.
        public var observer: (any ClientTransportObserver)?

        public init() {}
    }

    /// How a connection checks that the server still answers.
    public struct Keepalive: Sendable {
        /// How often a PING goes out (one at a time).
        public var interval: Duration
        /// How long a PING may wait for its reply before the connection is
        /// closed, failing its calls with UNAVAILABLE; the next call connects
        /// anew.
        public var timeout: Duration

        public init(interval: Duration = .seconds(10), timeout: Duration = .seconds(5)) {
            self.interval = interval
            self.timeout = timeout
        }
    }

    public let host: String
    public let port: Int
    public let configuration: Configuration
    private let group: any EventLoopGroup
    private let logger: Logger
    private let current = Mutex(Current.none)

    /// The transport's connection, or the one attempt to make it that every
    /// call needing a connection waits for.
    private enum Current {
        case none
        case connecting(Task<ClientConnection, any Error>)
        case connected(ClientConnection)
    }

    public init(
        host: String,
        port: Int,
        configuration: Configuration = Configuration(),
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "bigrpc.client")
    ) {
        self.host = host
        self.port = port
        self.configuration = configuration
        self.group = eventLoopGroup
        self.logger = logger
    }

    public func withStream<Result: Sendable>(
        method: MethodDescriptor,
        metadata: Metadata,
        options: CallOptions,
        _ body: (ClientStream) async throws -> Result
    ) async throws -> Result {
        let handle = try await openStream(method: method, metadata: metadata, timeout: options.timeout)
        return try await withTaskCancellationHandler {
            do {
                let result = try await body(ClientStream(requests: handle, responses: handle.responseSequence()))
                handle.cancel()  // a no-op when the server already ended the call
                return result
            } catch {
                handle.cancel()
                throw error
            }
        } onCancel: {
            handle.cancel()
        }
    }

    /// Closes the connection; calls in flight fail with UNAVAILABLE. Later
    /// calls open a new connection.
    public func close() async {
        let closing: Current = current.withLock { current in
            defer { current = .none }
            return current
        }
        switch closing {
        case .connected(let connection):
            try? await connection.channel.close()
        case .connecting(let attempt):
            // Its waiters get a closed connection: their calls fail UNAVAILABLE.
            if let connection = try? await attempt.value { try? await connection.channel.close() }
        case .none:
            break
        }
    }

    // MARK: Connections

    private func openStream(method: MethodDescriptor, metadata: Metadata, timeout: Duration?) async throws -> ClientStreamHandle {
        // A connection can turn unusable between our check and the event loop
        // (GOAWAY arriving): then retry once on a fresh one.
        for _ in 0..<3 {
            let connection: ClientConnection
            do {
                connection = try await usableConnection()
            } catch var error as RPCError {
                // No connection: the call never left this process.
                error.callWasNotProcessed = true
                throw error
            }
            do {
                return try await connection.openStream(method: method, metadata: metadata, timeout: timeout)
            } catch is ClientConnectionStateMachine.Unusable {
                current.withLock { current in
                    if case .connected(let existing) = current, existing === connection { current = .none }
                }
            }
        }
        var error = RPCError(.unavailable, "no usable connection to \(host):\(port)")
        error.callWasNotProcessed = true
        throw error
    }

    /// The connection, made if needed. Calls that need one at the same time
    /// share one attempt: a burst of first calls used to open a connection
    /// each and close all but one, which a server's per-address connection
    /// cap turns into refused calls.
    private func usableConnection() async throws -> ClientConnection {
        enum Next {
            case use(ClientConnection)
            case wait(Task<ClientConnection, any Error>)
        }
        let next: Next = current.withLock { current in
            switch current {
            case .connected(let connection) where connection.isUsable:
                return .use(connection)
            case .connecting(let attempt):
                return .wait(attempt)
            case .none, .connected:
                let attempt = Task { try await self.connect() }
                current = .connecting(attempt)
                return .wait(attempt)
            }
        }
        let attempt: Task<ClientConnection, any Error>
        switch next {
        case .use(let connection): return connection
        case .wait(let ongoing): attempt = ongoing
        }
        let connection: ClientConnection
        do {
            connection = try await attempt.value
        } catch {
            current.withLock { current in
                if case .connecting(let ongoing) = current, ongoing == attempt { current = .none }
            }
            throw error
        }
        current.withLock { current in
            if case .connecting(let ongoing) = current, ongoing == attempt { current = .connected(connection) }
        }
        return connection
    }

    private func connect() async throws -> ClientConnection {
        let (configuration, logger, host, port) = (self.configuration, self.logger, self.host, self.port)
        let setup = ConnectionSetup()
        do {
            var bootstrap = ClientBootstrap(group: group)
            if let localHost = configuration.localHost {
                bootstrap = bootstrap.bind(to: try SocketAddress(ipAddress: localHost, port: 0))
            }
            let channel =
                try await bootstrap
                .connectTimeout(TimeAmount(saturating: configuration.connectTimeout))
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        if let security = configuration.security {
                            let ready = try security.configure(channel, host: host)
                            setup.securityReady.withLock { $0 = ready }
                        }
                        let sync = channel.pipeline.syncOperations
                        try sync.addHandler(
                            ByteToMessageHandler(
                                FrameDecoder(
                                    maxPayloadSize: configuration.maxPayloadSize,
                                    readTimeout: configuration.readTimeout.map(TimeAmount.init(saturating:))
                                )))
                        try sync.addHandler(FrameEncoder())
                        if let keepalive = configuration.keepalive {
                            try sync.addHandler(
                                KeepaliveHandler(
                                    interval: TimeAmount(saturating: keepalive.interval),
                                    timeout: TimeAmount(saturating: keepalive.timeout)
                                ))
                        }
                        let handler = ClientConnectionHandler(sendsHalfClose: configuration.halfClose, logger: logger)
                        try sync.addHandler(handler)
                        setup.handler.withLock { $0 = NIOLoopBound(handler, eventLoop: channel.eventLoop) }
                    }
                }
                .connect(host: host, port: port)
                .get()
            if let ready = setup.securityReady.withLock({ $0 }) {
                do {
                    try await ready.get()
                } catch {
                    channel.close(promise: nil)
                    throw error
                }
            }
            return try await channel.eventLoop.submit {
                guard let handler = setup.handler.withLock({ $0 })?.value else { throw ChannelError.ioOnClosedChannel }
                // Closed already (a server that refuses at once, or under
                // TLS 1.3 refuses the client's certificate): say why.
                guard channel.isActive else {
                    throw RPCError(.unavailable, "cannot connect to \(host):\(port): the server closed the connection\(handler.closeReason)")
                }
                if let observer = configuration.observer {
                    // Active now, on its event loop: its close is still to come.
                    observer.connectionOpened()
                    channel.closeFuture.whenComplete { _ in observer.connectionClosed() }
                }
                return ClientConnection(channel: channel, handler: handler)
            }.get()
        } catch let error as RPCError {
            throw error
        } catch {
            throw RPCError(.unavailable, "cannot connect to \(host):\(port): \(error)")
        }
    }
}

/// What the channel initializer hands to `connect()`: the security layer's
/// readiness, if there is one, and the connection's protocol handler.
private final class ConnectionSetup: Sendable {
    let securityReady = Mutex<EventLoopFuture<Void>?>(nil)
    let handler = Mutex<NIOLoopBound<ClientConnectionHandler>?>(nil)
}

/// One TCP connection and its protocol handler.
final class ClientConnection: Sendable {
    let channel: any Channel
    // NIOLoopBound: the handler is only touched on the channel's event loop.
    private let handler: NIOLoopBound<ClientConnectionHandler>
    private let usable: AtomicFlag
    private let writable: AtomicFlag
    private let halfClose: Bool

    /// Must be created on the channel's event loop.
    init(channel: any Channel, handler: ClientConnectionHandler) {
        self.channel = channel
        self.handler = NIOLoopBound(handler, eventLoop: channel.eventLoop)
        self.usable = handler.usable
        self.writable = handler.flow.writable
        self.halfClose = handler.sendsHalfClose
    }

    var isUsable: Bool { channel.isActive && usable.value }

    func openStream(method: MethodDescriptor, metadata: Metadata, timeout: Duration?) async throws -> ClientStreamHandle {
        let eventLoop = channel.eventLoop
        let (handler, writable, halfClose) = (self.handler, self.writable, self.halfClose)
        return try await eventLoop.submit {
            // The queue's demand callback needs the call's handle: the one
            // the call is about to get.
            let handle = handler.value.nextHandle
            let responses = RPCMessageQueue<ClientResponsePart>(highWatermark: 16, lowWatermark: 4) {
                ClientStreamHandle.resumeReading(handle, eventLoop: eventLoop, handler: handler)
            }
            let id = try handler.value.openStream(method: method, metadata: metadata, timeout: timeout, responses: responses)
            return ClientStreamHandle(
                handle: id, responses: responses, eventLoop: eventLoop, handler: handler, writable: writable,
                halfClosesAfterMessages: halfClose
            )
        }.get()
    }
}
