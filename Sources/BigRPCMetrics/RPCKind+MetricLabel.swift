import BigRPC

extension RPCKind {
    /// The `type` label of gRPC's Prometheus metrics.
    var metricLabel: String {
        switch self {
        case .unary: "unary"
        case .clientStreaming: "client_stream"
        case .serverStreaming: "server_stream"
        case .bidirectionalStreaming: "bidi_stream"
        }
    }
}
