import BigRPC
import BigRPCNIO
import BigShopAuthAPI
import BigShopCatalogAPI
import BigShopFlashSaleAPI
import BigShopHistoryAPI
import BigShopOrdersAPI
import BigShopPaymentsAPI
import Foundation

/// The generated clients of a shop on `port`, signed in with `token`.
struct ShopClients: Sendable {
    let auth: Bigshop_Auth_V1_AuthService.Client
    let catalog: Bigshop_Catalog_V1_CatalogService.Client
    let orders: Bigshop_Orders_V1_OrdersService.Client
    let payments: Bigshop_Payments_V1_PaymentsService.Client
    let flashSale: Bigshop_Flashsale_V1_FlashSaleService.Client

    init(port: Int, token: String? = nil) {
        let transport = BigRPCClientTransport(host: "127.0.0.1", port: port)
        let client = RPCClient(transport: transport, interceptors: token.map { [BearerToken(token: $0)] } ?? [])
        auth = .init(wrapping: client)
        catalog = .init(wrapping: client)
        orders = .init(wrapping: client)
        payments = .init(wrapping: client)
        flashSale = .init(wrapping: client)
    }

    /// Registers and signs in a new customer.
    static func newCustomer(port: Int, name: String) async throws -> ShopClients {
        let email = "\(name)-\(UUID().uuidString.prefix(8).lowercased())@crash.test"
        let anonymous = ShopClients(port: port)
        _ = try await anonymous.auth.register(.init(email: email, password: "customer-password", name: name))
        let session = try await anonymous.auth.login(.init(email: email, password: "customer-password"))
        return ShopClients(port: port, token: session.token)
    }

    static func admin(port: Int) async throws -> ShopClients {
        let session = try await ShopClients(port: port).auth.login(
            .init(email: ServerProcess.adminEmail, password: ServerProcess.adminPassword)
        )
        return ShopClients(port: port, token: session.token)
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
