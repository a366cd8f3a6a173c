public import BigRPC
import BigShopServiceKit

/// Stands in for the gateway in service tests: the `x-test-principal` header,
/// `customer:<user id>` or `admin:<user id>`, becomes the call's principal.
/// Calls without it stay anonymous. (Server tests use the real gateway.)
public struct TestPrincipalInterceptor: ServerInterceptor {
    public static let header = "x-test-principal"

    public init() {}

    public func intercept(context: ServerContext, next: @Sendable (ServerContext) async throws -> Void) async throws {
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

    /// Metadata making the call a customer's.
    public static func customer(_ userID: String) -> Metadata { [header: "customer:\(userID)"] }
    /// Metadata making the call an admin's.
    public static func admin(_ userID: String = "admin") -> Metadata { [header: "admin:\(userID)"] }
}
