import BigRPC
import BigRPCNIO
import BigShopAuthAPI
import BigShopFlashSaleAPI
import BigShopPaymentsAPI

/// The shop's clients for one caller (the admin, a customer, or anonymous)
/// over one connection, sending its session token with every call.
struct ShopCaller: Sendable {
    let transport: BigRPCClientTransport
    /// `authorization: Bearer <token>`, or nothing for an anonymous caller.
    let metadata: Metadata
    let auth: Bigshop_Auth_V1_AuthService.Client
    let flashSale: Bigshop_Flashsale_V1_FlashSaleService.Client
    let payments: Bigshop_Payments_V1_PaymentsService.Client

    /// Every call's deadline: a rehearsal waits for slow answers (they are
    /// what it measures), never forever.
    static let options = CallOptions(timeout: .seconds(30))

    init(transport: BigRPCClientTransport, token: String?) {
        self.transport = transport
        var metadata = Metadata()
        if let token { metadata[Metadata.authorizationKey] = "Bearer \(token)" }
        self.metadata = metadata
        let rpc = RPCClient(transport: transport)
        auth = .init(wrapping: rpc)
        flashSale = .init(wrapping: rpc)
        payments = .init(wrapping: rpc)
    }

    /// Runs `call`, waiting out RESOURCE_EXHAUSTED (as long as its
    /// `retry-after-ms` says, at most 5 s a time) and UNAVAILABLE (a second),
    /// at most `attempts` times: for the bookkeeping calls of a rehearsal
    /// (sign-ups, payments, stats), which the gateway's per-user and
    /// per-address limits may slow down but should not fail. Only calls
    /// that are safe to repeat go through here.
    static func patiently<T: Sendable>(attempts: Int = 30, _ call: () async throws -> T) async throws -> T {
        var attempt = 1
        while true {
            do {
                return try await call()
            } catch let error as RPCError where attempt < attempts {
                let wait: Duration
                switch error.code {
                case .resourceExhausted:
                    let milliseconds = error.metadata[Metadata.retryAfterKey].flatMap { Int($0) } ?? 1000
                    wait = .milliseconds(min(max(milliseconds, 10), 5000))
                case .unavailable:
                    wait = .seconds(1)
                default:
                    throw error
                }
                attempt += 1
                try await Task.sleep(for: wait)
            }
        }
    }
}
