public import BigRPCNIO
public import CoreMetrics

/// A ``ClientTransportObserver`` that records a ``BigRPCClientTransport``'s
/// connections with swift-metrics: the open connections as a gauge and the
/// connections opened as a counter, labelled with `target` (a name for
/// what the client calls, such as the service its peers serve).
///
/// ```swift
/// var configuration = BigRPCClientTransport.Configuration()
/// configuration.observer = ClientTransportMetrics(target: "orders")
/// ```
///
/// Transports that share one `target` (every peer of one service) count
/// together: the gauge is their open connections in all.
public struct ClientTransportMetrics: ClientTransportObserver {
    private let open: Meter
    private let opened: Counter

    /// Records into `factory`: by default the process's `MetricsSystem`.
    public init(target: String, factory: any MetricsFactory = MetricsSystem.factory) {
        let labels = [("target", target)]
        open = Meter(label: RPCMetricNames.clientConnections, dimensions: labels, factory: factory)
        opened = Counter(label: RPCMetricNames.clientConnectionsOpened, dimensions: labels, factory: factory)
    }

    public func connectionOpened() {
        opened.increment()
        open.increment()
    }

    public func connectionClosed() {
        open.decrement()
    }
}
