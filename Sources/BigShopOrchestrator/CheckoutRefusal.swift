import BigRPC
import BigShopServiceKit

/// A cart checkout refused by ``CheckoutLimits``, before anything was held.
enum CheckoutRefusal: Error, Hashable {
    case tooManyUnpaidOrders(limit: Int)
    case productLimit(productID: String, name: String, held: Int64, asked: Int64, limit: Int64)
    case coolingDown(retryAfterMs: Int64)

    /// FAILED_PRECONDITION with the refusal's `reason` (and `retry-after-ms`
    /// for the cool-down).
    var rpcError: RPCError {
        switch self {
        case .tooManyUnpaidOrders(let limit):
            return RPCError.refused(
                CheckoutSagaReason.tooManyUnpaidOrders,
                "you have \(limit) unpaid orders, the most allowed: pay or cancel one first")
        case .productLimit(let productID, let name, let held, let asked, let limit):
            let already = held > 0 ? "; your unpaid orders hold \(held)" : ""
            return RPCError.refused(
                CheckoutSagaReason.productLimitReached,
                "at most \(limit) units of \"\(name.statusPrefix())\" (\(productID.statusPrefix())) per customer "
                    + "in unpaid orders: the cart asks \(asked)\(already)")
        case .coolingDown(let retryAfterMs):
            var error = RPCError.refused(
                CheckoutSagaReason.checkoutCoolingDown,
                "an order of yours was cancelled or expired unpaid moments ago: check out again in "
                    + "\(retryAfterMs / 1_000 + (retryAfterMs % 1_000 > 0 ? 1 : 0)) s")
            error.metadata[Metadata.retryAfterKey] = String(retryAfterMs)
            return error
        }
    }
}
