import BigShopAuthAPI

/// Makes a rehearsal's customers with the admin-only
/// `AuthService.CreateCustomers`: up to 200 per call, each returned with a
/// session, and no password hashed (the fast path of docs/OPERATIONS.md),
/// so 10,000 customers take seconds, not the hour their password hashes
/// would take at the server's default cost.
enum CustomerSignUp {
    /// Customers per CreateCustomers call (the method's maximum).
    static let batchSize = 200

    /// Signs up `count` customers named after `runID` and returns their
    /// session tokens, in order.
    static func run(count: Int, runID: String, admin: ShopCaller, progress: StepProgress) async throws -> [String] {
        var tokens: [String] = []
        tokens.reserveCapacity(count)
        var start = 0
        while start < count {
            let end = min(start + batchSize, count)
            let request = Bigshop_Auth_V1_CreateCustomersRequest(
                customers: (start..<end).map { index in
                    .init(email: "rehearsal-\(runID)-\(index)@rehearsal.bigshop.test", name: "Cliente \(index)")
                })
            // All or nothing on the server: a retried batch either was made
            // (ALREADY_EXISTS, and its tokens are lost: fail) or was not.
            let response = try await ShopCaller.patiently {
                try await admin.auth.createCustomers(request, metadata: admin.metadata, options: ShopCaller.options)
            }
            tokens += response.customers.map(\.token)
            progress.advance(by: end - start)
            start = end
        }
        return tokens
    }
}
