public import BigRPCCodec

/// The server side of one call, as a transport hands it to ``RPCServer``.
public struct ServerCall: Sendable {
    /// `/<service>/<method>` from the request headers.
    public var path: String
    public var metadata: Metadata
    /// The client's timeout, counted from the server's receipt of the headers.
    public var timeout: Duration?
    /// The remote address, for logs and rate limiting.
    public var peer: String
    /// The raw request messages, ending when the client half-closes. Throws
    /// `CancellationError` if the client cancels.
    public var requests: RPCAsyncSequence<[UInt8]>
    /// Where the response messages and the final status go.
    public var responses: any ServerResponseSink
    /// Bounds for decoding each request message.
    public var decodingLimits: ProtoDecodingLimits
    /// Fired by the transport when ``timeout`` has passed; nil to have
    /// ``RPCServer`` time the call itself.
    public var deadlineSignal: DeadlineSignal?
    /// Values the transport knows about the connection (such as the verified
    /// identity of a TLS peer); the call's ``ServerContext/values`` start
    /// with them.
    public var values: ServerContextValues

    public init(
        path: String,
        metadata: Metadata,
        timeout: Duration?,
        peer: String,
        requests: RPCAsyncSequence<[UInt8]>,
        responses: any ServerResponseSink,
        decodingLimits: ProtoDecodingLimits = .default,
        deadlineSignal: DeadlineSignal? = nil,
        values: ServerContextValues = ServerContextValues()
    ) {
        self.path = path
        self.metadata = metadata
        self.timeout = timeout
        self.peer = peer
        self.requests = requests
        self.responses = responses
        self.decodingLimits = decodingLimits
        self.deadlineSignal = deadlineSignal
        self.values = values
    }
}

/// The transport's outbound half of one server call.
public protocol ServerResponseSink: Sendable {
    /// Sends one encoded response message. Suspends while the transport cannot
    /// take more, so a peer that stops reading stops the handler, not the heap.
    func write(_ message: [UInt8]) async throws
    /// Ends the call with `status` and trailing metadata. Called at most once;
    /// not called when the client cancelled the call.
    func finish(status: Status, trailers: Metadata)
}
