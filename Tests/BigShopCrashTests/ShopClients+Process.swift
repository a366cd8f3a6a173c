import BigShopServerTestSupport
import Foundation

extension ShopClients {
    /// Registers and signs in a new customer of the shop on `port`.
    static func newCustomer(port: Int, name: String) async throws -> ShopClients {
        let email = "\(name)-\(UUID().uuidString.prefix(8).lowercased())@crash.test"
        let anonymous = ShopClients(port: port, token: nil)
        _ = try await anonymous.auth.register(.init(email: email, password: "customer-password", name: name))
        let session = try await anonymous.auth.login(.init(email: email, password: "customer-password"))
        return ShopClients(port: port, token: session.token)
    }

    /// Signed in as the admin a ``ServerProcess`` starts with.
    static func admin(port: Int) async throws -> ShopClients {
        let session = try await ShopClients(port: port, token: nil).auth.login(
            .init(email: ServerProcess.adminEmail, password: ServerProcess.adminPassword)
        )
        return ShopClients(port: port, token: session.token)
    }
}
