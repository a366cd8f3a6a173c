import BigRPC
import BigShopServiceKit

/// Stands in for the gateway in tests: the `x-test-principal` header,
/// `customer:<user id>` or `admin:<user id>`, becomes the call's principal.
struct TestPrincipalInterceptor: ServerInterceptor {
    static let header = "x-test-principal"

    func intercept(context: ServerContext, next: @Sendable (ServerContext) async throws -> Void) async throws {
        var context = context
        if let value = context.metadata[Self.header] {
            let parts = value.split(separator: ":", maxSplits: 1).map(String.init)
            guard parts.count == 2, let role = ShopRole(rawValue: parts[0]) else {
                throw RPCError(.unauthenticated, "bad \(Self.header)")
            }
            context.values[PrincipalKey.self] = Principal(userID: parts[1], role: role, email: "\(parts[1])@example.com")
        }
        try await next(context)
    }

    static func customer(_ userID: String) -> Metadata { [header: "customer:\(userID)"] }
    static func admin(_ userID: String = "admin") -> Metadata { [header: "admin:\(userID)"] }
}
