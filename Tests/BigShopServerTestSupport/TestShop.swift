public import BigRPC
import BigRPCInterop
import BigRPCNIO
import BigRPCTestingProtos
public import BigShopAuthAPI
public import BigShopCatalogAPI
public import BigShopFlashSaleAPI
public import BigShopHistoryAPI
public import BigShopOrdersAPI
public import BigShopPaymentsAPI
public import BigShopServer
public import BigShopServiceKit
import BigShopTestSupport
import Foundation
import Logging
import ServiceLifecycle

/// A real `bigshop serve` (the same BigShopApp the executable runs, in a
/// ServiceGroup) on a free loopback port with its SQLite files in a
/// temporary directory, driven through the generated clients over TCP, or
/// in process through ``client``.
public struct TestShop: Sendable {
    public static let adminEmail = "admin@bigshop.test"
    public static let adminPassword = "admin-password-1"

    public let app: BigShopApp
    /// The public port, or 0 for a process without the gateway.
    public let port: Int
    /// The internal port, if the process serves one.
    public let internalPort: Int?
    public let dataDirectory: String
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    /// The open services, for tests that look inside them.
    public var shop: OpenShop { app.shop }
    /// A client to every service in process, past the gateway.
    public var client: RPCClient { app.shop.client }

    /// `HOST:PORT`, as bigprobe takes it.
    public var endpoint: String { "127.0.0.1:\(port)" }

    /// Starts a shop on `port` (0: a free one). `dataDirectory` nil makes a
    /// fresh one; pass an old one to test a restart.
    public static func start(
        port: Int = 0,
        dataDirectory: String? = nil,
        clock: any ShopClock = SystemClock(),
        configure: (inout BigShopConfiguration) -> Void = { _ in },
        assemble: (inout ShopAssembly) -> Void = { _ in }
    ) async throws -> TestShop {
        let directory =
            dataDirectory
            ?? FileManager.default.temporaryDirectory
            .appendingPathComponent("bigshop-test-\(UUID().uuidString)").path
        var configuration = BigShopConfiguration()
        configuration.host = "127.0.0.1"
        configuration.port = port
        configuration.dataDirectory = directory
        configuration.passwordIterations = 1_000
        // Hashes cost ~1 ms here, not ~0.3 s: the launch bounds of the hashing
        // queue (32 waiting, 8 of them Registers) would refuse the suites'
        // parallel sign-ups. Tests of the queue set their own.
        configuration.passwordQueueLimit = 4_096
        configuration.passwordRegisterQueueLimit = 4_096
        configuration.rateLimit = false
        // Every test customer connects from 127.0.0.1 (a flash-sale test opens
        // 1,000 connections), and a loaded test machine can take longer than
        // the 5 s default to send a connection's first call.
        configuration.maxConnectionsPerAddress = 100_000
        configuration.maxOpenStreamsPerAddress = 100_000
        configuration.connectionSetupTimeoutSeconds = 60
        configure(&configuration)
        var assembly = ShopAssembly(configuration: configuration)
        assembly.admin = AdminBootstrap(email: adminEmail, password: adminPassword)
        assembly.clock = clock
        assembly.storage = TestStorage.forDirectory(directory)
        if configuration.enableConformanceService {
            assembly.addPublicService(
                TestServiceProvider(maxPayloadSize: configuration.effectiveMaxPayloadBytes),
                methods: Bigrpc_Testing_V1_TestService.Method.all)
        }
        assemble(&assembly)
        let app = try await BigShopApp.open(assembly)
        let group = ServiceGroup(services: app.services, logger: Logger(label: "bigshop.test"))
        let task = Task { try await group.run() }
        let bound = app.hasPublicPort ? try await app.listeningAddress().port! : 0
        let internalPort = app.hasInternalPort ? try await app.internalListeningAddress().port : nil
        return TestShop(app: app, port: bound, internalPort: internalPort, dataDirectory: directory, group: group, task: task)
    }

    /// Gracefully stops the shop, as SIGTERM does, and waits until its
    /// databases are closed.
    public func stop() async throws {
        await group.triggerGracefulShutdown()
        try await task.value
    }

    /// Stops the shop as a crash would: every flow is cancelled where it
    /// is; the databases keep what was committed.
    public func kill() async {
        task.cancel()
        _ = await task.result
    }

    /// Stops the shop and deletes its data.
    public func stopAndRemove() async throws {
        try await stop()
        removeData()
    }

    /// Deletes the shop's data directory.
    public func removeData() {
        try? FileManager.default.removeItem(atPath: dataDirectory)
    }

    /// Clients carrying `token` (anonymous when nil), on a new connection.
    public func clients(token: String? = nil) -> ShopClients {
        ShopClients(port: port, token: token)
    }

    /// Registers a new customer and signs in; returns clients with its token.
    public func newCustomer(_ name: String = "customer") async throws -> (clients: ShopClients, user: Bigshop_Auth_V1_User) {
        let email = "\(name)-\(UUID().uuidString.prefix(8).lowercased())@bigshop.test"
        let anonymous = clients()
        let user = try await anonymous.auth.register(.init(email: email, password: "customer-password", name: name))
        let session = try await anonymous.auth.login(.init(email: email, password: "customer-password"))
        return (clients(token: session.token), user)
    }

    /// Clients signed in as the admin the shop was started with.
    public func admin() async throws -> ShopClients {
        let session = try await clients().auth.login(.init(email: Self.adminEmail, password: Self.adminPassword))
        return clients(token: session.token)
    }
}

/// Runs `body` against a fresh shop, which is always stopped and deleted
/// afterwards.
public func withShop<R>(
    clock: any ShopClock = SystemClock(),
    configure: (inout BigShopConfiguration) -> Void = { _ in },
    assemble: (inout ShopAssembly) -> Void = { _ in },
    _ body: (TestShop) async throws -> R
) async throws -> R {
    let shop = try await TestShop.start(clock: clock, configure: configure, assemble: assemble)
    do {
        let result = try await body(shop)
        try await shop.stopAndRemove()
        return result
    } catch {
        try? await shop.stopAndRemove()
        throw error
    }
}

/// Every public service's generated client, sharing one connection.
public struct ShopClients: Sendable {
    public let rpc: RPCClient
    public let auth: Bigshop_Auth_V1_AuthService.Client
    public let catalog: Bigshop_Catalog_V1_CatalogService.Client
    public let orders: Bigshop_Orders_V1_OrdersService.Client
    public let payments: Bigshop_Payments_V1_PaymentsService.Client
    public let history: Bigshop_History_V1_HistoryService.Client
    public let flashSale: Bigshop_Flashsale_V1_FlashSaleService.Client

    public init(port: Int, token: String?) {
        let transport = BigRPCClientTransport(host: "127.0.0.1", port: port)
        rpc = RPCClient(transport: transport, interceptors: token.map { [BearerToken(token: $0)] } ?? [])
        auth = .init(wrapping: rpc)
        catalog = .init(wrapping: rpc)
        orders = .init(wrapping: rpc)
        payments = .init(wrapping: rpc)
        history = .init(wrapping: rpc)
        flashSale = .init(wrapping: rpc)
    }
}

/// Adds `authorization: Bearer <token>` to every call.
public struct BearerToken: ClientInterceptor {
    public let token: String

    public init(token: String) {
        self.token = token
    }

    public func intercept<Result: Sendable>(
        method: MethodDescriptor,
        metadata: Metadata,
        options: CallOptions,
        next: (Metadata, CallOptions) async throws -> Result
    ) async throws -> Result {
        var metadata = metadata
        metadata[Metadata.authorizationKey] = "Bearer \(token)"
        return try await next(metadata, options)
    }
}

extension TestShop {
    /// Starts a shop with the demo catalog and the conformance service, as
    /// `scripts/run` serves it.
    public static func startDemo(port: Int = 0, dataDirectory: String? = nil) async throws -> TestShop {
        try await start(port: port, dataDirectory: dataDirectory) {
            $0.seedDemoCatalog = true
            $0.enableConformanceService = true
        }
    }
}

/// Runs `body` against a fresh demo shop (``TestShop/startDemo(port:dataDirectory:)``),
/// always stopped and deleted afterwards.
public func withDemoShop<R>(_ body: (TestShop) async throws -> R) async throws -> R {
    try await withShop(
        configure: {
            $0.seedDemoCatalog = true
            $0.enableConformanceService = true
        }, body)
}

/// The status code a call failed with, or nil if it succeeded.
public func statusCode<T>(_ call: () async throws -> T) async -> StatusCode? {
    do {
        _ = try await call()
        return nil
    } catch let error as RPCError {
        return error.code
    } catch {
        return .unknown
    }
}

/// Runs `body` with the `parts` of a shop over `directory` (a fresh one,
/// removed afterwards, when nil), stopped gracefully afterwards. Calls
/// through ``TestShop/client`` name their caller with
/// ``TestPrincipalInterceptor`` metadata instead of a session.
public func withShop<R>(
    _ parts: Set<ShopAssembly.Part>,
    directory: String? = nil,
    clock: any ShopClock,
    assemble: (inout ShopAssembly) -> Void = { _ in },
    _ body: (TestShop) async throws -> R
) async throws -> R {
    let shop = try await TestShop.start(
        dataDirectory: directory, clock: clock,
        assemble: { assembly in
            assembly.parts = parts
            assembly.serverInterceptors = [TestPrincipalInterceptor()]
            assemble(&assembly)
        })
    do {
        let result = try await body(shop)
        try await shop.stop()
        if directory == nil { shop.removeData() }
        return result
    } catch {
        try? await shop.stop()
        if directory == nil { shop.removeData() }
        throw error
    }
}
