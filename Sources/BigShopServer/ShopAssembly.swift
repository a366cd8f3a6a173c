public import BigRPC
public import BigShopAuth
import BigShopAuthAPI
public import BigShopCatalog
import BigShopCatalogAPI
public import BigShopFlashSale
import BigShopFlashSaleAPI
public import BigShopGateway
public import BigShopHistory
public import BigShopOrchestrator
import BigShopOrchestratorAPI
public import BigShopOrders
import BigShopOrdersAPI
public import BigShopPayments
import BigShopPaymentsAPI
public import BigShopServiceKit
import Foundation
public import Logging
public import ServiceLifecycle

/// Which shop services one process runs and how they are wired: any subset
/// of them, over the data directory, reaching each other with generated
/// clients through one in-process server that also serves `extraServices`.
/// A part not run here is reached through its transport in ``remoteParts``
/// (its peers on other hosts), or else in process too.
///
/// ```swift
/// var assembly = ShopAssembly(configuration: configuration)
/// assembly.parts = [.auth, .catalog]
/// let shop = try await assembly.open()
/// try await ServiceGroup(services: shop.services, logger: logger).run()
/// ```
public struct ShopAssembly: Sendable {
    /// One shop service and its database.
    public enum Part: String, CaseIterable, Sendable {
        case auth, catalog, orders, payments, history, orchestrator, flashsale
    }

    public var configuration: BigShopConfiguration
    public var parts = Set(Part.allCases)
    /// This process, as its replicas see it (leases name it; they forward to
    /// its internal address).
    public var instance = ServiceInstance()
    /// How a flash-sale standby reaches the owner's internal API; nil
    /// answers the owner's calls UNAVAILABLE instead (one process).
    public var replicas: (any ReplicaTransports)?
    /// Where the parts keep their data; nil takes it from the configuration
    /// (``BigShopConfiguration/shopStorage(environment:)``).
    public var storage: ShopStorage?
    /// The transports to parts this process calls but does not run.
    public var remoteParts: [Part: any ClientTransport] = [:]
    /// The time of every service; tests pass a `ManualClock`.
    public var clock: any ShopClock = SystemClock()
    /// The logger of each part ("auth", "orders", "rpc", …) and, for "",
    /// of the shop itself.
    public var logger: @Sendable (_ part: String) -> Logger = { Logger(label: $0.isEmpty ? "bigshop" : "bigshop.\($0)") }
    /// The services' settings; nil takes them from the configuration.
    public var auth: AuthSettings?
    public var orders: OrdersSettings?
    public var payments: PaymentsSettings?
    public var orchestrator: OrchestratorSettings?
    /// Faults the flash sale commits on purpose. **Tests only** (see
    /// ``FlashSaleFaults``): no flag or setting of `bigshop serve` sets them.
    public var flashSaleFaults = FlashSaleFaults()
    /// The first admin, created at open if missing.
    public var admin: AdminBootstrap?
    /// On every call one service makes to another (tests inject faults).
    public var clientInterceptors: [any ClientInterceptor] = []
    /// On every call the in-process server takes.
    public var serverInterceptors: [any ServerInterceptor] = []
    /// Served in process, and on the public port as far as ``extraAccess``
    /// lets calls through the gateway.
    public var extraServices: [any RegistrableRPCService] = []
    /// Who may call the extra services' methods on the public port.
    public var extraAccess: [MethodDescriptor: Access] = [:]
    /// The in-process transport to every service, bound at open: for extra
    /// services that call the shop's.
    public let transport = LateBoundTransport()

    public init(configuration: BigShopConfiguration) {
        self.configuration = configuration
    }

    /// Serves `service` in process and, to anyone, on the public port.
    public mutating func addPublicService(_ service: any RegistrableRPCService, methods: [MethodDescriptor]) {
        extraServices.append(service)
        for method in methods { extraAccess[method] = .public }
    }

    /// Opens (creating or migrating) the databases of ``parts`` under the
    /// data directory, wires the services, recovers the checkout sagas left
    /// in flight, and creates the first admin if asked. Run
    /// ``OpenShop/services`` to serve.
    public func open() async throws -> OpenShop {
        let data = try storage ?? configuration.shopStorage(environment: ProcessInfo.processInfo.environment)
        var routes: [String: any ClientTransport] = [:]
        for (part, remote) in remoteParts where !parts.contains(part) {
            for name in part.serviceNames { routes[name] = remote }
        }
        let client = RPCClient(transport: RoutingTransport(routes: routes, fallback: transport), interceptors: clientInterceptors)
        let inventory = Bigshop_Catalog_V1_InventoryService.Client(wrapping: client)
        let orderLedger = Bigshop_Orders_V1_OrderLedger.Client(wrapping: client)
        let saga = Bigshop_Orchestrator_V1_CheckoutSaga.Client(wrapping: client)
        let log = logger("")
        try configuration.validate()
        let c = configuration

        let auth =
            try await parts.contains(.auth)
            ? AuthModule.open(
                storage: data, clock: clock,
                settings: self.auth
                    ?? AuthSettings(
                        sessionTTL: .seconds(c.sessionTTLSeconds),
                        passwordIterations: c.passwordIterations,
                        hasherThreads: c.passwordHashingThreads,
                        throttle: c.rateLimit
                            ? TokenBucketLoginThrottle(perSecond: c.loginPerAddressEmailPerSecond, burst: c.loginPerAddressEmailBurst)
                            : DisabledLoginThrottle(),
                        passwordQueueLimit: c.passwordQueueLimit,
                        passwordRegisterQueueLimit: c.passwordRegisterQueueLimit),
                logger: logger("auth")) : nil
        let catalog =
            try await parts.contains(.catalog)
            ? CatalogModule.open(
                storage: data, clock: clock, logger: logger("catalog")) : nil
        let orchestrator =
            try await parts.contains(.orchestrator)
            ? OrchestratorModule.open(
                storage: data, clock: clock,
                settings: self.orchestrator
                    ?? OrchestratorSettings(
                        paymentWindow: .seconds(c.paymentWindowSeconds),
                        limits: CheckoutLimits(
                            maxUnitsPerProduct: Int64(c.maxUnitsPerProduct),
                            maxUnpaidOrders: c.maxUnpaidOrders,
                            cooldownAfterCancellation: .seconds(c.checkoutCooldownSeconds)),
                        soleInstance: c.orchestratorSoleInstance),
                orderLedger: orderLedger, inventory: inventory,
                payments: Bigshop_Payments_V1_PaymentLedger.Client(wrapping: client),
                holds: Bigshop_Flashsale_V1_HoldLedger.Client(wrapping: client),
                instance: instance, logger: logger("orchestrator")) : nil
        let orders =
            try await parts.contains(.orders)
            ? OrdersModule.open(
                storage: data, clock: clock, inventory: inventory, saga: saga,
                settings: self.orders ?? OrdersSettings(maxUnitsPerProduct: Int64(c.maxUnitsPerProduct), maxCartLines: c.maxCartLines),
                logger: logger("orders")) : nil
        let payments =
            try await parts.contains(.payments)
            ? PaymentsModule.open(
                storage: data, clock: clock,
                settings: self.payments
                    ?? PaymentsSettings(
                        pixKey: c.pixMerchantKey, merchantName: c.pixMerchantName, merchantCity: c.pixMerchantCity), orderLedger: orderLedger, saga: saga,
                logger: logger("payments")) : nil
        let flashSale =
            try await parts.contains(.flashsale)
            ? FlashSaleModule.open(
                storage: data, clock: clock, inventory: inventory, saga: saga, faults: flashSaleFaults,
                instance: instance, replicas: replicas, logger: logger("flashsale")) : nil
        let history = parts.contains(.history) ? HistoryModule(orderLedger: orderLedger, logger: logger("history")) : nil

        let publicServices: [(any RegistrableRPCService)?] = [
            auth?.authService, catalog?.catalogService, orders?.ordersService, payments?.paymentsService, history?.historyService,
            flashSale?.flashSaleService,
        ]
        let internalServices: [(any RegistrableRPCService)?] = [
            auth?.sessionVerifier, catalog?.inventoryService, orders?.orderLedger, payments?.paymentLedger,
            orchestrator?.sagaService, flashSale?.holdLedger,
        ]
        let localServices = (publicServices + internalServices).compactMap { $0 }
        transport.bind(
            to: RPCServer(
                services: localServices + extraServices,
                interceptors: serverInterceptors + [StoreFailureInterceptor()],
                logger: logger("internal")))

        if let orchestrator {
            let resumed = try await orchestrator.recover()
            log.info("checkout sagas recovered", metadata: ["resumed": "\(resumed)"])
        }
        if let admin, let auth {
            // The user id, never the email (docs/OPERATIONS.md, "Logs").
            switch try await auth.ensureAdmin(email: admin.email, password: admin.password) {
            case .created(let userID):
                log.info("first admin", metadata: ["user-id": "\(userID)", "outcome": "created"])
            case .alreadyPresent(let userID):
                log.info("first admin", metadata: ["user-id": "\(userID)", "outcome": "already present"])
            }
        }
        if configuration.seedDemoCatalog, let catalog {
            let inserted = try await catalog.seedDemoCatalog()
            if inserted > 0 { log.info("demo catalog seeded", metadata: ["products": "\(inserted)"]) }
            if let flashSale { try await DemoCampaign.seed(catalog: catalog, flashSale: flashSale, logger: log) }
        }
        let services: [(any Service)?] = [auth, catalog, orchestrator, orders, payments, flashSale]
        return OpenShop(
            services: services.compactMap { $0 },
            publicServices: publicServices.compactMap { $0 } + extraServices,
            localServices: localServices,
            client: client, auth: auth, catalog: catalog, orders: orders, payments: payments,
            orchestrator: orchestrator, flashSale: flashSale, history: history)
    }
}

/// The services of a ``ShopAssembly``, open and wired, not yet running.
public struct OpenShop: Sendable {
    /// The modules in dependency order: a `ServiceGroup` starts them in
    /// this order and shuts them down in reverse, so a payment in flight
    /// still reaches the orchestrator, orders and the catalog.
    public let services: [any Service]
    /// The services for the public port, behind the gateway.
    public let publicServices: [any RegistrableRPCService]
    /// Every service of the parts run here, public and internal: what the
    /// internal port serves to other processes.
    public let localServices: [any RegistrableRPCService]
    /// A client to every service, in process, through the client
    /// interceptors.
    public let client: RPCClient
    public let auth: AuthModule?
    public let catalog: CatalogModule?
    public let orders: OrdersModule?
    public let payments: PaymentsModule?
    public let orchestrator: OrchestratorModule?
    public let flashSale: FlashSaleModule?
    public let history: HistoryModule?
}
