/// Carries calls from an ``RPCClient`` to a server.
public protocol ClientTransport: Sendable {
    /// Opens a stream for one call and lends it to `body`. When `body` returns
    /// or throws before the server ended the call, the transport cancels it
    /// (a CANCEL frame), so nothing leaks.
    ///
    /// Throws ``RPCError`` with `UNAVAILABLE` when no connection can be made.
    func withStream<Result: Sendable>(
        method: MethodDescriptor,
        metadata: Metadata,
        options: CallOptions,
        _ body: (ClientStream) async throws -> Result
    ) async throws -> Result
}

/// The client side of one call: the request writer and the response parts.
public struct ClientStream: Sendable {
    /// Sends the encoded requests; `finish` half-closes (END_STREAM).
    public let requests: any ClientRequestSink
    /// The response messages, then exactly one status.
    public let responses: RPCAsyncSequence<ClientResponsePart>

    public init(requests: any ClientRequestSink, responses: RPCAsyncSequence<ClientResponsePart>) {
        self.requests = requests
        self.responses = responses
    }
}

/// The transport's outbound half of one client call.
public protocol ClientRequestSink: Sendable {
    /// Sends one encoded request; with `endStream`, also half-closes.
    /// Suspends while the connection cannot take more.
    func write(_ message: [UInt8], endStream: Bool) async throws
    /// Half-closes a call that has sent no message yet: HEADERS carry
    /// END_STREAM. Throws ``RPCError`` FAILED_PRECONDITION once a message was
    /// sent without `endStream`, since the protocol cannot half-close then.
    func finish() async throws
}

/// What a server sends on a call.
public enum ClientResponsePart: Sendable {
    /// One encoded response message.
    case message([UInt8])
    /// The end of the call, with its trailing metadata.
    case status(Status, Metadata)
}
