import BigRPC
import BigRPCNIO
import BigRPCStandardServices
import Logging
import ServiceLifecycle

/// The parts a process calls but does not run, on their peers: a balancer
/// per part over one connection per peer address (keepalive PINGs drop a
/// dead link in seconds), each peer's health checked for that part. A
/// `ServiceGroup` member, started first and stopped last, so that calls to
/// peers work while this process's own services start and drain.
final class RemoteParts: Service {
    /// Each remote part's balancer, for the assembly's routes.
    let balancers: [ShopAssembly.Part: LoadBalancingTransport]
    private let connections: [BigRPCClientTransport]
    private let checkers: [HealthChecker]

    /// - Parameters:
    ///   - parts: the parts to reach; each must have addresses in `peers`.
    ///   - tls: mutual TLS, or nil for plain TCP (peers on loopback).
    init(parts: Set<ShopAssembly.Part>, peers: Peers, tls: InternalTLS?, logger: Logger) throws {
        var balancers: [ShopAssembly.Part: LoadBalancingTransport] = [:]
        var connections: [BigRPCClientTransport] = []
        var checkers: [HealthChecker] = []
        for part in parts.sorted(by: { $0.rawValue < $1.rawValue }) {
            guard let endpoints = peers.endpoints[part], !endpoints.isEmpty else {
                throw BigShopConfigurationError("this process calls \(part.rawValue) but --peers lists no address for it")
            }
            var configuration = BigRPCClientTransport.Configuration()
            configuration.keepalive = .init(interval: .seconds(5), timeout: .seconds(3))
            configuration.connectTimeout = .seconds(2)
            configuration.security = try tls?.clientSecurity(for: part.rawValue)
            let transports = endpoints.map { BigRPCClientTransport(host: $0.host, port: $0.port, configuration: configuration, logger: logger) }
            let balancer = LoadBalancingTransport(endpoints: transports)
            balancers[part] = balancer
            connections += transports
            checkers.append(HealthChecker(balancer: balancer, service: part.healthService))
            logger.info(
                "peers",
                metadata: ["service": "\(part.rawValue)", "addresses": "\(endpoints.map(\.description).joined(separator: ","))"])
        }
        self.balancers = balancers
        self.connections = connections
        self.checkers = checkers
    }

    func run() async throws {
        await withDiscardingTaskGroup { group in
            for checker in checkers {
                group.addTask { await checker.run() }
            }
            // Returns at the graceful shutdown, or throws when cancelled.
            try? await gracefulShutdown()
            group.cancelAll()
        }
        for connection in connections { await connection.close() }
    }
}
