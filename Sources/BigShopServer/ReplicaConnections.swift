import BigRPC
import BigRPCMetrics
import BigRPCNIO
import BigShopServiceKit
import Logging
import Synchronization

/// Connections to the other replicas of one service, opened on first use by the address a
/// lease names, with the internal port's security (mutual TLS naming that service, or
/// plain TCP on loopback): how a flash-sale standby forwards calls to the owner.
final class ReplicaConnections: ReplicaTransports {
    private let service: String
    private let ownAddress: String
    private let configuration: BigRPCClientTransport.Configuration
    private let logger: Logger
    private let connections = Mutex<[String: BigRPCClientTransport]>([:])

    /// - Parameters:
    ///   - service: the service's name, which its replicas' certificates must carry.
    ///   - ownAddress: this process's internal address, never connected to.
    init(service: String, ownAddress: String, tls: InternalTLS?, logger: Logger) throws {
        self.service = service
        self.ownAddress = ownAddress
        var configuration = BigRPCClientTransport.Configuration()
        configuration.keepalive = .init(interval: .seconds(5), timeout: .seconds(3))
        configuration.connectTimeout = .seconds(2)
        configuration.security = try tls?.clientSecurity(for: service)
        configuration.observer = ClientTransportMetrics(target: service + "-owner")
        self.configuration = configuration
        self.logger = logger
    }

    func transport(to address: String) -> (any ClientTransport)? {
        guard address != ownAddress, let endpoint = try? Peers.Endpoint(parsing: address), !endpoint.isDNSName else {
            return nil
        }
        return connections.withLock { connections in
            if let existing = connections[address] { return existing }
            let connection = BigRPCClientTransport(
                host: endpoint.host, port: endpoint.port, configuration: configuration, logger: logger)
            connections[address] = connection
            logger.info("replica connection", metadata: ["service": "\(service)", "address": "\(address)"])
            return connection
        }
    }

    func close() async {
        let all = connections.withLock { connections in
            defer { connections.removeAll() }
            return Array(connections.values)
        }
        for connection in all { await connection.close() }
    }
}
