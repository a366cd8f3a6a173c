import BigRPC
import BigRPCStandardServices
import Synchronization

/// Whether the process should be sent work, for `/readyz`: every local
/// port's services SERVING (a port turns NOT_SERVING at the start of its
/// drain, before GOAWAY) and every remote service it calls reachable (at
/// least one peer passing health checks).
public final class ShopReadiness: Sendable {
    private let ports: [(name: String, health: HealthService)]
    private let remote: [(name: String, balancer: LoadBalancingTransport)]

    init(ports: [(name: String, health: HealthService)], remote: [(name: String, balancer: LoadBalancingTransport)]) {
        self.ports = ports
        self.remote = remote
    }

    /// Why the process is not ready, one line each; empty when it is.
    public func problems() -> [String] {
        var problems: [String] = []
        for port in ports where !port.health.isServing {
            problems.append("\(port.name) port: NOT_SERVING (draining)")
        }
        for dependency in remote where !dependency.balancer.serving.contains(true) {
            problems.append("\(dependency.name): no peer reachable")
        }
        return problems
    }

    /// Ready: ``problems()`` is empty.
    public var isReady: Bool { problems().isEmpty }
}
