public import BigRPC
public import BigRPCNIO
public import BigRPCProtos
public import BigRPCTLS
public import BigShopAuthAPI
public import BigShopCatalogAPI
public import BigShopFlashSaleAPI
public import BigShopHistoryAPI
public import BigShopOrdersAPI
public import BigShopPaymentsAPI
public import Logging

/// A client of the BigShop API: every public service's generated client,
/// over a small pool of connections to one server.
///
/// Every call gets a default deadline (unless it sets one, or its responses
/// stream), is retried on `UNAVAILABLE` when that is safe (see
/// ``RetryPolicy``), and carries `authorization: Bearer <token>` once
/// ``login(email:password:)`` has succeeded.
///
/// ```swift
/// let shop = BigShopClient(host: "127.0.0.1", port: 7070)
/// try await shop.login(email: "ana@example.com", password: "…")
/// let page = try await shop.catalog.listProducts(.init(pageSize: 10))
/// await shop.close()
/// ```
///
/// Over TLS (a server started with `--tls-cert` and `--tls-key`), trusting
/// the system's CAs, or a private CA's certificate given as a PEM file
/// (`TLSClientSecurity` is in `BigRPCTLS`, part of this product):
///
/// ```swift
/// var configuration = BigShopClient.Configuration()
/// configuration.tls = try TLSClientSecurity(trustRootsFile: "ca.pem")
/// let shop = BigShopClient(host: "shop.example.com", port: 7070, configuration: configuration)
/// ```
public final class BigShopClient: Sendable {
    /// How a ``BigShopClient`` connects and calls.
    public struct Configuration: Sendable {
        /// Connections in the pool; calls take them in turn.
        public var connections = 2
        /// The deadline of a call that sets none and has a single response
        /// (retries included); nil for none.
        public var defaultTimeout: Duration? = .seconds(10)
        /// Retries of `UNAVAILABLE`; ``RetryPolicy/none`` turns them off.
        public var retry = RetryPolicy()
        /// Settings of each connection.
        public var transport = BigRPCClientTransport.Configuration()
        /// TLS 1.3 on every connection, verifying the server's certificate
        /// (`TLSClientSecurity(trustRootsFile:)` for a private CA); nil for
        /// plain TCP. Use it whenever the server is on another machine:
        /// passwords and card numbers cross the network. Replaces
        /// `transport.security` when set.
        public var tls: TLSClientSecurity?

        /// Two connections, a 10 s default deadline, the default
        /// ``RetryPolicy``, plain TCP.
        public init() {}
    }

    /// The server's host name or address.
    public let host: String
    /// The server's port.
    public let port: Int

    /// `bigshop.auth.v1.AuthService`. Prefer ``login(email:password:)`` and
    /// ``logout()`` to signing in through it: they keep the token for later calls.
    public let auth: Bigshop_Auth_V1_AuthService.Client
    /// `bigshop.catalog.v1.CatalogService`.
    public let catalog: Bigshop_Catalog_V1_CatalogService.Client
    /// `bigshop.orders.v1.OrdersService`.
    public let orders: Bigshop_Orders_V1_OrdersService.Client
    /// `bigshop.payments.v1.PaymentsService`.
    public let payments: Bigshop_Payments_V1_PaymentsService.Client
    /// `bigshop.history.v1.HistoryService`.
    public let history: Bigshop_History_V1_HistoryService.Client
    /// `bigshop.flashsale.v1.FlashSaleService`.
    public let flashSale: Bigshop_Flashsale_V1_FlashSaleService.Client
    /// `bigrpc.health.v1.Health`.
    public let health: Bigrpc_Health_V1_Health.Client
    /// The client every service client shares, with the pool and the
    /// interceptors: for calls the generated clients above do not cover.
    public let rpcClient: RPCClient

    private let pool: ConnectionPool
    private let token = SessionToken()

    /// A client of the server at `host:port`. Connections open on first use.
    public init(
        host: String,
        port: Int,
        configuration: Configuration = Configuration(),
        logger: Logger = Logger(label: "bigshop.client")
    ) {
        precondition(configuration.connections >= 1, "a BigShopClient needs at least one connection")
        self.host = host
        self.port = port
        var transport = configuration.transport
        if let tls = configuration.tls { transport.security = tls }
        pool = ConnectionPool(
            (0..<configuration.connections).map { [transport] _ in
                BigRPCClientTransport(host: host, port: port, configuration: transport, logger: logger)
            })
        var interceptors: [any ClientInterceptor] = [AuthorizationInterceptor(token: token)]
        if let timeout = configuration.defaultTimeout {
            interceptors.append(DeadlineInterceptor(timeout: timeout))
        }
        interceptors.append(RetryInterceptor(policy: configuration.retry))
        rpcClient = RPCClient(transport: pool, interceptors: interceptors)
        auth = .init(wrapping: rpcClient)
        catalog = .init(wrapping: rpcClient)
        orders = .init(wrapping: rpcClient)
        payments = .init(wrapping: rpcClient)
        history = .init(wrapping: rpcClient)
        flashSale = .init(wrapping: rpcClient)
        health = .init(wrapping: rpcClient)
    }

    /// Whether a session token is set: calls carry it.
    public var isLoggedIn: Bool { token.value != nil }

    /// Signs in; later calls carry the session's token.
    ///
    /// Throws the call's ``RPCError``: UNAUTHENTICATED for a wrong email or
    /// password, RESOURCE_EXHAUSTED when sign-ins come too fast.
    @discardableResult
    public func login(email: String, password: String) async throws -> Bigshop_Auth_V1_Session {
        let session = try await auth.login(.init(email: email, password: password))
        token.value = session.token
        return session
    }

    /// Revokes the session on the server and forgets its token. The token is
    /// forgotten even when the server cannot be told (the error is thrown).
    public func logout() async throws {
        guard isLoggedIn else { return }
        defer { token.value = nil }
        _ = try await auth.logout(.init())
    }

    /// Closes every connection; calls in flight fail with UNAVAILABLE. A call
    /// made later opens new connections.
    public func close() async {
        await pool.close()
    }
}
