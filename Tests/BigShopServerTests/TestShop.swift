import BigRPC
import BigRPCNIO
import BigShopAuthAPI
import BigShopCatalogAPI
import BigShopFlashSaleAPI
import BigShopHistoryAPI
import BigShopOrdersAPI
import BigShopPaymentsAPI
import BigShopServer
import BigShopServiceKit
import Foundation

/// A real `bigshop serve` (the same BigShopApp the executable runs) on a
/// free loopback port with its SQLite files in a temporary directory, driven
/// through the generated clients over TCP.
struct TestShop {
    static let adminEmail = "admin@bigshop.test"
    static let adminPassword = "admin-password-1"

    let app: BigShopApp
    let port: Int
    let dataDirectory: String
    private let task: Task<Void, any Error>

    /// Starts a shop. `dataDirectory` nil makes a fresh one; pass an old one
    /// to test a restart.
    static func start(
        dataDirectory: String? = nil,
        clock: any ShopClock = SystemClock(),
        configure: (inout BigShopConfiguration) -> Void = { _ in }
    ) async throws -> TestShop {
        let directory = dataDirectory ?? FileManager.default.temporaryDirectory
            .appendingPathComponent("bigshop-test-\(UUID().uuidString)").path
        var configuration = BigShopConfiguration()
        configuration.host = "127.0.0.1"
        configuration.port = 0
        configuration.dataDirectory = directory
        configuration.passwordIterations = 1_000
        configuration.rateLimit = false
        configure(&configuration)
        let app = try await BigShopApp.open(
            configuration: configuration,
            admin: AdminBootstrap(email: adminEmail, password: adminPassword),
            clock: clock
        )
        let task = Task { try await app.run() }
        let port = try await app.listeningAddress().port!
        return TestShop(app: app, port: port, dataDirectory: directory, task: task)
    }

    /// Gracefully stops the shop and waits until its databases are closed.
    func stop() async throws {
        app.beginGracefulShutdown()
        try await task.value
    }

    /// Stops the shop and deletes its data.
    func stopAndRemove() async throws {
        try await stop()
        try? FileManager.default.removeItem(atPath: dataDirectory)
    }

    /// Clients carrying `token` (anonymous when nil), on a new connection.
    func clients(token: String? = nil) -> ShopClients {
        ShopClients(port: port, token: token)
    }

    /// Registers a new customer and signs in; returns clients with its token.
    func newCustomer(_ name: String = "customer") async throws -> (clients: ShopClients, user: Bigshop_Auth_V1_User) {
        let email = "\(name)-\(UUID().uuidString.prefix(8).lowercased())@bigshop.test"
        let anonymous = clients()
        let user = try await anonymous.auth.register(.init(email: email, password: "customer-password", name: name))
        let session = try await anonymous.auth.login(.init(email: email, password: "customer-password"))
        return (clients(token: session.token), user)
    }

    /// Clients signed in as the admin the shop was started with.
    func admin() async throws -> ShopClients {
        let session = try await clients().auth.login(.init(email: Self.adminEmail, password: Self.adminPassword))
        return clients(token: session.token)
    }
}

/// Runs `body` against a fresh shop, which is always stopped and deleted
/// afterwards.
func withShop<R>(
    clock: any ShopClock = SystemClock(),
    configure: (inout BigShopConfiguration) -> Void = { _ in },
    _ body: (TestShop) async throws -> R
) async throws -> R {
    let shop = try await TestShop.start(clock: clock, configure: configure)
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
struct ShopClients: Sendable {
    let rpc: RPCClient
    let auth: Bigshop_Auth_V1_AuthService.Client
    let catalog: Bigshop_Catalog_V1_CatalogService.Client
    let orders: Bigshop_Orders_V1_OrdersService.Client
    let payments: Bigshop_Payments_V1_PaymentsService.Client
    let history: Bigshop_History_V1_HistoryService.Client
    let flashSale: Bigshop_Flashsale_V1_FlashSaleService.Client

    init(port: Int, token: String?) {
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
struct BearerToken: ClientInterceptor {
    let token: String

    func intercept<Result: Sendable>(
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

/// The status code a call failed with, or nil if it succeeded.
func code<T>(_ call: @autoclosure () async throws -> T) async -> StatusCode? {
    do {
        _ = try await call()
        return nil
    } catch let error as RPCError {
        return error.code
    } catch {
        return .unknown
    }
}

/// The RPCError a call failed with.
func rpcError<T>(_ call: @autoclosure () async throws -> T) async -> RPCError? {
    do {
        _ = try await call()
        return nil
    } catch {
        return error as? RPCError
    }
}
