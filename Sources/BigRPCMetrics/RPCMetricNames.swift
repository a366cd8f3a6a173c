/// The names of the metrics BigRPCMetrics records: those of gRPC's
/// Prometheus interceptors (go-grpc-prometheus), with `rpc_` in place of
/// `grpc_`, so that dashboards and alerts written for gRPC carry over.
///
/// Labels: `service` (e.g. `bigshop.orders.v1.OrdersService`), `method`
/// (e.g. `Checkout`), `type` (`unary`, `client_stream`, `server_stream`,
/// `bidi_stream`) on the started counters, and `code` (e.g. `OK`,
/// `RESOURCE_EXHAUSTED`) on the handled counters.
public enum RPCMetricNames {
    /// Counter: calls the server started, by `service`, `method`, `type`.
    public static let serverStarted = "rpc_server_started_total"
    /// Counter: calls the server finished, by `service`, `method`, `code`.
    public static let serverHandled = "rpc_server_handled_total"
    /// Counter: request messages the server received, by `service`, `method`.
    public static let serverMessagesReceived = "rpc_server_msg_received_total"
    /// Counter: response messages the server sent, by `service`, `method`.
    public static let serverMessagesSent = "rpc_server_msg_sent_total"
    /// Histogram (seconds): from the call's start to its status, by `service`, `method`.
    public static let serverHandlingSeconds = "rpc_server_handling_seconds"

    /// Counter: calls the client started, by `service`, `method`, `type`.
    public static let clientStarted = "rpc_client_started_total"
    /// Counter: calls the client saw finish, by `service`, `method`, `code`.
    public static let clientHandled = "rpc_client_handled_total"
    /// Counter: request messages the client sent, by `service`, `method`.
    public static let clientMessagesSent = "rpc_client_msg_sent_total"
    /// Counter: response messages the client received, by `service`, `method`.
    public static let clientMessagesReceived = "rpc_client_msg_received_total"
    /// Histogram (seconds): from the call's start to its outcome, by `service`, `method`.
    public static let clientHandlingSeconds = "rpc_client_handling_seconds"

    /// Gauge: connections open now, by `port` (the transport's name for it).
    public static let serverConnections = "rpc_server_connections"
    /// Counter: connections accepted, by `port`.
    public static let serverConnectionsOpened = "rpc_server_connections_opened_total"
    /// Counter: connections closed at once because a cap was reached, by `port`.
    public static let serverConnectionsRefused = "rpc_server_connections_refused_total"
    /// Counter: connections closed with GOAWAY after a protocol violation, by `port`, `code`.
    public static let serverProtocolViolations = "rpc_server_protocol_violations_total"

    /// Gauge: client connections open now, by `target` (what the client calls).
    public static let clientConnections = "rpc_client_connections"
    /// Counter: client connections made, by `target`.
    public static let clientConnectionsOpened = "rpc_client_connections_opened_total"
}
