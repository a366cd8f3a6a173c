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
    /// Sends the encoded requests; `finish` half-closes.
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
    /// Half-closes the call. Throws ``RPCError`` FAILED_PRECONDITION after a
    /// message sent without `endStream` when ``halfClosesAfterMessages`` is false.
    func finish() async throws
    /// Whether ``finish()`` works after messages sent without `endStream`
    /// (wire revision 1.1's HALF_CLOSE). When false, a client-streaming call
    /// holds back each request until the next is written, so that the last
    /// can carry `endStream`.
    var halfClosesAfterMessages: Bool { get }
}

/// What a server sends on a call.
public enum ClientResponsePart: Sendable {
    /// One encoded response message.
    case message([UInt8])
    /// The end of the call, with its trailing metadata.
    case status(Status, Metadata)
}
