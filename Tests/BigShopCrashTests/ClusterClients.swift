import BigRPC
import BigRPCNIO
import BigShopAuthAPI
import BigShopCatalogAPI
import BigShopFlashSaleAPI
import BigShopHistoryAPI
import BigShopOrdersAPI
import BigShopPaymentsAPI
import BigShopServerTestSupport

/// The shoppers' way into the cluster, as a load balancer in front of the
/// gateways would be: a few connections to each gateway behind one
/// balancer (a gateway that refuses connections is left alone for a while,
/// and calls it never saw move to the other), shared by every shopper.
struct ClusterGatewayConnections: Sendable {
    let balancer: LoadBalancingTransport
    private let connections: [BigRPCClientTransport]

    init(gateways: [(host: String, port: Int)], connectionsPerGateway: Int) {
        var configuration = BigRPCClientTransport.Configuration()
        configuration.connectTimeout = .seconds(2)
        configuration.keepalive = .init(interval: .seconds(5), timeout: .seconds(3))
        var connections: [BigRPCClientTransport] = []
        for gateway in gateways {
            for _ in 0..<connectionsPerGateway {
                connections.append(BigRPCClientTransport(host: gateway.host, port: gateway.port, configuration: configuration))
            }
        }
        self.connections = connections
        self.balancer = LoadBalancingTransport(endpoints: connections, backoff: .init(initial: .milliseconds(100), maximum: .seconds(1)))
    }

    /// A shopper's clients: its token on every call, retries of
    /// `UNAVAILABLE` when they are safe (reads, calls with an
    /// `idempotency-key`, calls never processed), long enough to ride out a
    /// restart of one process.
    func clients(token: String?) -> ClusterShopperClients {
        var interceptors: [any ClientInterceptor] = token.map { [BearerToken(token: $0)] } ?? []
        interceptors.append(RetryInterceptor(policy: RetryPolicy(maxAttempts: 30, initialBackoff: .milliseconds(100), maxBackoff: .seconds(1))))
        return ClusterShopperClients(rpc: RPCClient(transport: balancer, interceptors: interceptors))
    }

    func close() async {
        for connection in connections { await connection.close() }
    }
}

/// Every public service's generated client over the shared gateway connections.
struct ClusterShopperClients: Sendable {
    let rpc: RPCClient
    var auth: Bigshop_Auth_V1_AuthService.Client { .init(wrapping: rpc) }
    var catalog: Bigshop_Catalog_V1_CatalogService.Client { .init(wrapping: rpc) }
    var orders: Bigshop_Orders_V1_OrdersService.Client { .init(wrapping: rpc) }
    var payments: Bigshop_Payments_V1_PaymentsService.Client { .init(wrapping: rpc) }
    var flashSale: Bigshop_Flashsale_V1_FlashSaleService.Client { .init(wrapping: rpc) }
    var history: Bigshop_History_V1_HistoryService.Client { .init(wrapping: rpc) }
}

/// Bounds the calls in flight of all the shoppers together.
actor CallGate {
    private var available: Int
    private var waiters: [CheckedContinuation<Void, Never>] = []

    init(permits: Int) {
        available = permits
    }

    func acquire() async {
        if available > 0 {
            available -= 1
            return
        }
        await withCheckedContinuation { waiters.append($0) }
    }

    func release() {
        if waiters.isEmpty {
            available += 1
        } else {
            waiters.removeFirst().resume()
        }
    }
}
