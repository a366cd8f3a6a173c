/// The shape of a call: how many messages each side sends.
public enum RPCKind: String, Hashable, Sendable {
    /// One request, one response.
    case unary
    /// Many requests, one response.
    case clientStreaming
    /// One request, many responses.
    case serverStreaming
    /// Many requests, many responses, interleaved.
    case bidirectionalStreaming

    /// Whether the client sends exactly one request.
    public var hasSingleRequest: Bool { self == .unary || self == .serverStreaming }
    /// Whether the server sends exactly one response.
    public var hasSingleResponse: Bool { self == .unary || self == .clientStreaming }
}

/// Names one method of one service.
public struct MethodDescriptor: Hashable, Sendable, CustomStringConvertible {
    /// The fully qualified service, e.g. `bigrpc.testing.v1.TestService`.
    public let service: String
    /// The method, e.g. `UnaryCall`.
    public let method: String
    public let kind: RPCKind
    /// `/<service>/<method>`, as sent in `RequestHeaders.method`.
    public let path: String

    public init(service: String, method: String, kind: RPCKind) {
        self.service = service
        self.method = method
        self.kind = kind
        self.path = "/\(service)/\(method)"
    }

    public var description: String { path }
}
