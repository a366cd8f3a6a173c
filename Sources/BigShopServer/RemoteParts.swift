import BigRPC
import BigRPCMetrics
import BigRPCNIO
import BigRPCStandardServices
import Logging
import ServiceLifecycle

/// The parts a process calls but does not run, on their peers: a balancer
/// per part over one connection per peer address (keepalive PINGs drop a
/// dead link in seconds; a `dns:` peer is every address its name resolves
/// to, looked up again every 30 s), each peer's health checked for that part. A
/// `ServiceGroup` member, started first and stopped last, so that calls to
/// peers work while this process's own services start and drain.
final class RemoteParts: Service {
    /// Each remote part's balancer, for the assembly's routes.
    let balancers: [ShopAssembly.Part: LoadBalancingTransport]
    private let connections: [BigRPCClientTransport]
    /// The `dns:` peers, each looked up again every 30 s.
    private let names: [DNSResolvingTransport]
    private let checkers: [HealthChecker]

    /// - Parameters:
    ///   - parts: the parts to reach; each must have addresses in `peers`.
    ///   - tls: mutual TLS, or nil for plain TCP (peers on loopback).
    init(parts: Set<ShopAssembly.Part>, peers: Peers, tls: InternalTLS?, logger: Logger) throws {
        var balancers: [ShopAssembly.Part: LoadBalancingTransport] = [:]
        var connections: [BigRPCClientTransport] = []
        var names: [DNSResolvingTransport] = []
        var checkers: [HealthChecker] = []
        for part in parts.sorted(by: { $0.rawValue < $1.rawValue }) {
            guard let endpoints = peers.endpoints[part], !endpoints.isEmpty else {
                throw BigShopConfigurationError("this process calls \(part.rawValue) but --peers lists no address for it")
            }
            var configuration = BigRPCClientTransport.Configuration()
            configuration.keepalive = .init(interval: .seconds(5), timeout: .seconds(3))
            configuration.connectTimeout = .seconds(2)
            configuration.security = try tls?.clientSecurity(for: part.rawValue)
            configuration.observer = ClientTransportMetrics(target: part.rawValue)
            var transports: [any ClientTransport] = []
            for endpoint in endpoints {
                if endpoint.isDNSName {
                    let name = DNSResolvingTransport(name: endpoint.host, port: endpoint.port, configuration: configuration, logger: logger)
                    names.append(name)
                    transports.append(name)
                } else {
                    let connection = BigRPCClientTransport(host: endpoint.host, port: endpoint.port, configuration: configuration, logger: logger)
                    connections.append(connection)
                    transports.append(connection)
                }
            }
            let balancer = LoadBalancingTransport(endpoints: transports)
            balancers[part] = balancer
            checkers.append(HealthChecker(balancer: balancer, service: part.healthService))
            logger.info(
                "peers",
                metadata: ["service": "\(part.rawValue)", "addresses": "\(endpoints.map(\.description).joined(separator: ","))"])
        }
        self.balancers = balancers
        self.connections = connections
        self.names = names
        self.checkers = checkers
    }

    func run() async throws {
        await withDiscardingTaskGroup { group in
            for checker in checkers {
                group.addTask { await checker.run() }
            }
            for name in names {
                group.addTask { await name.run() }
            }
            // Returns at the graceful shutdown, or throws when cancelled.
            try? await gracefulShutdown()
            group.cancelAll()
        }
        for connection in connections { await connection.close() }
    }
}
