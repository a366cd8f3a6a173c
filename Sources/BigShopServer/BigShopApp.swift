import BigRPC
import BigRPCInterop
import BigRPCNIO
import BigRPCStandardServices
import BigRPCTestingProtos
import BigShopAuth
import BigShopAuthAPI
import BigShopCatalog
import BigShopCatalogAPI
import BigShopFlashSale
import BigShopFlashSaleAPI
import BigShopGateway
import BigShopHistory
import BigShopOrchestrator
import BigShopOrchestratorAPI
import BigShopOrders
import BigShopOrdersAPI
import BigShopPayments
import BigShopPaymentsAPI
public import BigShopServiceKit
import Foundation
public import Logging
public import NIOCore
public import ServiceLifecycle

/// `bigshop serve`: every service in one process behind one public port.
///
/// The public ``BigRPCServer`` exposes the public services through the
/// gateway (access log, authentication, roles, rate limits). The services
/// reach each other with generated clients over the in-process transport to an
/// internal ``RPCServer``, which also hosts the internal services; nothing
/// else knows they share a process.
public final class BigShopApp: Service, Sendable {
    public let configuration: BigShopConfiguration
    private let publicServer: BigRPCServer
    /// Runs the public calls ``publicServer`` accepts.
    private let publicRPC: RPCServer
    private let health: HealthService
    private let auth: AuthModule
    private let catalog: CatalogModule
    private let orders: OrdersModule
    private let payments: PaymentsModule
    private let orchestrator: OrchestratorModule
    private let flashSale: FlashSaleModule
    private let logger: Logger

    private init(
        configuration: BigShopConfiguration,
        publicServer: BigRPCServer,
        publicRPC: RPCServer,
        health: HealthService,
        auth: AuthModule,
        catalog: CatalogModule,
        orders: OrdersModule,
        payments: PaymentsModule,
        orchestrator: OrchestratorModule,
        flashSale: FlashSaleModule,
        logger: Logger
    ) {
        self.configuration = configuration
        self.publicServer = publicServer
        self.publicRPC = publicRPC
        self.health = health
        self.auth = auth
        self.catalog = catalog
        self.orders = orders
        self.payments = payments
        self.orchestrator = orchestrator
        self.flashSale = flashSale
        self.logger = logger
    }

    /// Opens (creating or migrating) every database under the data directory,
    /// wires the services, recovers every checkout saga left in flight, and
    /// creates the first admin if asked. Serving starts with ``run()``.
    public static func open(
        configuration: BigShopConfiguration,
        admin: AdminBootstrap? = nil,
        clock: any ShopClock = SystemClock(),
        logger: Logger = Logger(label: "bigshop")
    ) async throws -> BigShopApp {
        try configuration.validate()
        // Before any database: bad TLS files fail the start at once.
        let security = try publicPortSecurity(configuration, logger: logger)
        let data = configuration.dataDirectory
        try DataDirectory.prepare(data, logger: logger)

        // Clients to the internal server, which exists only once the services do.
        let internalTransport = LateBoundTransport()
        let internalClient = RPCClient(transport: internalTransport)
        let inventory = Bigshop_Catalog_V1_InventoryService.Client(wrapping: internalClient)
        let orderLedger = Bigshop_Orders_V1_OrderLedger.Client(wrapping: internalClient)
        let saga = Bigshop_Orchestrator_V1_CheckoutSaga.Client(wrapping: internalClient)
        let paymentLedger = Bigshop_Payments_V1_PaymentLedger.Client(wrapping: internalClient)
        let holds = Bigshop_Flashsale_V1_HoldLedger.Client(wrapping: internalClient)
        let verifier = Bigshop_Auth_V1_SessionVerifier.Client(wrapping: internalClient)

        let auth = try await AuthModule.open(
            dataDirectory: data,
            clock: clock,
            settings: AuthSettings(
                sessionTTL: .seconds(configuration.sessionTTLSeconds),
                passwordIterations: configuration.passwordIterations,
                hasherThreads: configuration.passwordHashingThreads,
                throttle: configuration.rateLimit
                    ? TokenBucketLoginThrottle(
                        perSecond: configuration.loginPerAddressEmailPerSecond,
                        burst: configuration.loginPerAddressEmailBurst
                    )
                    : DisabledLoginThrottle(),
                passwordQueueLimit: configuration.passwordQueueLimit,
                passwordRegisterQueueLimit: configuration.passwordRegisterQueueLimit
            ),
            logger: logger.with(label: "auth")
        )
        let catalog = try await CatalogModule.open(dataDirectory: data, clock: clock, logger: logger.with(label: "catalog"))
        let orders = try await OrdersModule.open(
            dataDirectory: data, clock: clock, inventory: inventory, saga: saga,
            settings: OrdersSettings(
                maxUnitsPerProduct: Int64(configuration.maxUnitsPerProduct),
                maxCartLines: configuration.maxCartLines
            ),
            logger: logger.with(label: "orders")
        )
        let payments = try await PaymentsModule.open(
            dataDirectory: data,
            clock: clock,
            settings: PaymentsSettings(
                pixKey: configuration.pixMerchantKey,
                merchantName: configuration.pixMerchantName,
                merchantCity: configuration.pixMerchantCity
            ),
            orderLedger: orderLedger,
            saga: saga,
            logger: logger.with(label: "payments")
        )
        let orchestrator = try await OrchestratorModule.open(
            dataDirectory: data,
            clock: clock,
            settings: OrchestratorSettings(
                paymentWindow: .seconds(configuration.paymentWindowSeconds),
                limits: CheckoutLimits(
                    maxUnitsPerProduct: Int64(configuration.maxUnitsPerProduct),
                    maxUnpaidOrders: configuration.maxUnpaidOrders,
                    cooldownAfterCancellation: .seconds(configuration.checkoutCooldownSeconds)
                )
            ),
            orderLedger: orderLedger,
            inventory: inventory,
            payments: paymentLedger,
            holds: holds,
            logger: logger.with(label: "orchestrator")
        )
        let history = HistoryServiceProvider(ledger: orderLedger, logger: logger.with(label: "history"))
        let flashSale = try await FlashSaleModule.open(
            dataDirectory: data, clock: clock, inventory: inventory, saga: saga, logger: logger.with(label: "flashsale")
        )

        var publicServices: [any RegistrableRPCService] = [
            auth.authService, catalog.catalogService, orders.ordersService, payments.paymentsService, history,
            flashSale.flashSaleService,
        ]
        let internalServices: [any RegistrableRPCService] = [
            auth.sessionVerifier, catalog.inventoryService, orders.orderLedger, payments.paymentLedger,
            orchestrator.sagaService, flashSale.holdLedger,
        ]
        internalTransport.bind(to: RPCServer(
            services: publicServices + internalServices,
            logger: logger.with(label: "internal")
        ))

        let resumed = try await orchestrator.recover()
        logger.info("checkout sagas recovered", metadata: ["resumed": "\(resumed)"])
        let reconciled = await flashSale.reconcileHolds()
        logger.info("flash-sale holds reconciled", metadata: ["held": "\(reconciled)"])
        if let admin {
            // The user id, never the email (docs/OPERATIONS.md, "Logs").
            switch try await auth.ensureAdmin(email: admin.email, password: admin.password) {
            case .created(let userID):
                logger.info("first admin", metadata: ["user-id": "\(userID)", "outcome": "created"])
            case .alreadyPresent(let userID):
                logger.info("first admin", metadata: ["user-id": "\(userID)", "outcome": "already present"])
            }
        }
        if configuration.seedDemoCatalog {
            let inserted = try await catalog.seedDemoCatalog()
            if inserted > 0 { logger.info("demo catalog seeded", metadata: ["products": "\(inserted)"]) }
        }

        var policy = AccessPolicy.shop
        if configuration.enableConformanceService {
            publicServices.append(TestServiceProvider(maxPayloadSize: configuration.effectiveMaxPayloadBytes))
            policy.merge(Dictionary(uniqueKeysWithValues: Bigrpc_Testing_V1_TestService.Method.all.map { ($0, Access.public) }))
        }
        let gateway = GatewayInterceptor(
            policy: policy,
            limiters: configuration.rateLimit ? GatewayLimiters(configuration.rateLimits) : nil
        ) { token in
            do {
                let principal = try await verifier.authenticate(.init(token: token))
                return Principal(userID: principal.userId, role: principal.role == .admin ? .admin : .customer, email: principal.email)
            } catch let error as RPCError where error.code == .unauthenticated {
                return nil
            }
        }

        var server = BigRPCServer.Configuration()
        server.host = configuration.host
        server.port = configuration.port
        server.maxPayloadSize = configuration.effectiveMaxPayloadBytes
        server.maxConcurrentStreams = configuration.maxConcurrentStreams
        server.idleTimeout = Duration(saturatingSeconds: configuration.idleTimeoutSeconds)
        server.readTimeout = Duration(saturatingSeconds: configuration.readTimeoutSeconds)
        server.drainTimeout = Duration(saturatingSeconds: configuration.drainTimeoutSeconds)
        server.requestTimeout = Duration(saturatingSeconds: configuration.requestTimeoutSeconds)
        server.connectionSetupTimeout = Duration(saturatingSeconds: configuration.connectionSetupTimeoutSeconds)
        server.maxBufferedRequestBytesPerConnection = configuration.maxBufferedRequestBytesPerConnection
        server.maxBufferedRequestBytes = configuration.maxBufferedRequestBytes
        server.maxConnections = configuration.maxConnections
        server.maxConnectionsPerAddress = configuration.maxConnectionsPerAddress
        server.maxOpenStreams = configuration.maxOpenStreams
        server.maxOpenStreamsPerAddress = configuration.maxOpenStreamsPerAddress
        server.maxStreamChurn = configuration.maxStreamChurn
        server.memoryTrimInterval = .seconds(1)
        server.security = security
        let standard = StandardServices(serving: publicServices)
        let health = standard.health
        let publicRPC = RPCServer(
            services: standard.all,
            interceptors: [AccessLogInterceptor(logger: logger.with(label: "access")), gateway],
            logger: logger.with(label: "rpc")
        )
        return BigShopApp(
            configuration: configuration,
            publicServer: BigRPCServer(configuration: server, logger: logger.with(label: "rpc")),
            publicRPC: publicRPC,
            health: health,
            auth: auth,
            catalog: catalog,
            orders: orders,
            payments: payments,
            orchestrator: orchestrator,
            flashSale: flashSale,
            logger: logger
        )
    }

    /// The public port's address once bound (port 0 picks a free one).
    public func listeningAddress() async throws -> SocketAddress {
        try await publicServer.listeningAddress()
    }

    /// Serves until a graceful shutdown (SIGTERM/SIGINT under
    /// swift-service-lifecycle, or ``beginGracefulShutdown()``) has drained the
    /// public port, then stops the background work and closes the databases.
    public func run() async throws {
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await self.orchestrator.runExpiryScanner() }
                group.addTask { await self.flashSale.runReconciler() }
                try await withGracefulShutdownHandler {
                    try await self.publicServer.listen(self.publicRPC)
                } onGracefulShutdown: {
                    self.beginGracefulShutdown()
                }
                group.cancelAll()
            }
        } catch {
            await close()
            throw error
        }
        await close()
        logger.info("bigshop stopped")
    }

    /// Starts a graceful shutdown, as SIGTERM does.
    public func beginGracefulShutdown() {
        health.setServing(false)
        publicServer.beginGracefulShutdown()
    }

    private func close() async {
        await flashSale.close()
        await orchestrator.close()
        await payments.close()
        await orders.close()
        await catalog.close()
        await auth.close()
    }
}

extension Logger {
    /// A logger for one part of the app, at this one's level.
    func with(label suffix: String) -> Logger {
        var logger = Logger(label: label + "." + suffix)
        logger.logLevel = logLevel
        return logger
    }
}
