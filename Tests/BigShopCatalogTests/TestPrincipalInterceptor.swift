import BigRPC
import BigShopServiceKit

/// Stands in for the gateway in tests: turns the `x-test-role` header
/// (`admin` or `customer`, with `x-test-user`) into the call's ``Principal``.
/// Calls without the header stay anonymous.
struct TestPrincipalInterceptor: ServerInterceptor {
    static let roleKey = "x-test-role"
    static let userKey = "x-test-user"

    func intercept(context: ServerContext, next: @Sendable (ServerContext) async throws -> Void) async throws {
        var context = context
        if let role = context.metadata[Self.roleKey].flatMap(ShopRole.init(rawValue:)) {
            let user = context.metadata[Self.userKey] ?? "usr_test"
            context.values[PrincipalKey.self] = Principal(userID: user, role: role, email: "\(user)@example.com")
        }
        try await next(context)
    }
}
