import BigRPC
public import BigRPCNIO
public import CoreMetrics
import Synchronization

/// A ``ServerTransportObserver`` that records a ``BigRPCServer``'s
/// connections with swift-metrics: the open connections as a gauge, the
/// connections opened and refused, and the protocol violations by code,
/// each labelled with `port` (a name such as `public` or `internal`).
///
/// ```swift
/// var configuration = BigRPCServer.Configuration()
/// configuration.observer = TransportMetrics(port: "public")
/// ```
public struct TransportMetrics: ServerTransportObserver {
    private let open: Meter
    private let opened: Counter
    private let refused: Counter
    private let violations: ViolationCounters

    /// Records into `factory`: by default the process's `MetricsSystem`.
    public init(port: String, factory: any MetricsFactory = MetricsSystem.factory) {
        let labels = [("port", port)]
        open = Meter(label: RPCMetricNames.serverConnections, dimensions: labels, factory: factory)
        opened = Counter(label: RPCMetricNames.serverConnectionsOpened, dimensions: labels, factory: factory)
        refused = Counter(label: RPCMetricNames.serverConnectionsRefused, dimensions: labels, factory: factory)
        violations = ViolationCounters(port: port, factory: factory)
    }

    public func connectionOpened() {
        opened.increment()
        open.increment()
    }

    public func connectionClosed() {
        open.decrement()
    }

    public func connectionRefused() {
        refused.increment()
    }

    public func protocolViolation(_ violation: ProtocolViolation) {
        violations.counter(violation.code).increment()
    }
}

/// The protocol-violation counter of each code, made on first use.
private final class ViolationCounters: Sendable {
    private let port: String
    private let factory: any MetricsFactory
    private let counters = Mutex<[StatusCode: Counter]>([:])

    init(port: String, factory: any MetricsFactory) {
        self.port = port
        self.factory = factory
    }

    func counter(_ code: StatusCode) -> Counter {
        counters.withLock { counters in
            if let counter = counters[code] { return counter }
            let counter = Counter(
                label: RPCMetricNames.serverProtocolViolations, dimensions: [("port", port), ("code", code.name)], factory: factory)
            counters[code] = counter
            return counter
        }
    }
}
