public import BigRPC
import BigRPCProtos

/// Client-side health checking: asks each endpoint of a
/// ``LoadBalancingTransport`` for one service's health (the standard
/// `Health.Check`) every ``interval`` and marks it serving or not, so that
/// an endpoint that is draining, or answering NOT_SERVING for that service,
/// stops getting new calls before its connections go.
///
/// ```swift
/// let checker = HealthChecker(balancer: balancer, service: "bigshop.catalog.v1.CatalogService")
/// group.addTask { await checker.run() }
/// ```
public struct HealthChecker: Sendable {
    public let balancer: LoadBalancingTransport
    /// The fully qualified service name checked; "" checks the server.
    public let service: String
    /// Between two rounds of checks.
    public var interval: Duration
    /// How long one check may take; a check that fails or times out marks
    /// its endpoint not serving.
    public var timeout: Duration

    public init(balancer: LoadBalancingTransport, service: String, interval: Duration = .seconds(1), timeout: Duration = .seconds(1)) {
        self.balancer = balancer
        self.service = service
        self.interval = interval
        self.timeout = timeout
    }

    /// Checks every endpoint once and records what each said.
    public func checkOnce() async {
        await withTaskGroup(of: Void.self) { group in
            for index in balancer.endpoints.indices {
                group.addTask { await check(index) }
            }
        }
    }

    /// Checks each endpoint every ``interval``, each on its own (a slow or
    /// unreachable endpoint does not hold the others' checks back), until
    /// the task is cancelled.
    public func run() async {
        await withTaskGroup(of: Void.self) { group in
            for index in balancer.endpoints.indices {
                group.addTask {
                    while !Task.isCancelled {
                        await check(index)
                        try? await Task.sleep(for: interval)
                    }
                }
            }
        }
    }

    private func check(_ index: Int) async {
        let health = Bigrpc_Health_V1_Health.Client(wrapping: RPCClient(transport: balancer.endpoints[index]))
        let answer = try? await health.check(.init(service: service), options: CallOptions(timeout: timeout))
        balancer.setServing(answer?.status == .serving, endpoint: index)
    }
}
