import BigRPC
import BigShopOrdersAPI
import BigShopServiceKit

extension Bigshop_Orders_V1_CreateOrderRequest {
    /// The order to create, checked: an id and a user, at least one line,
    /// each with a product (no product twice), a positive quantity and a
    /// non-negative price, a total equal to Σ quantity × unit price, and a
    /// payment due time. INVALID_ARGUMENT naming the field otherwise.
    func validatedOrder() throws(RPCError) -> Bigshop_Orders_V1_Order {
        guard let order else { throw RPCError(.invalidArgument, "order is required") }
        guard !order.id.isEmpty else { throw RPCError(.invalidArgument, "order.id must not be empty") }
        guard !order.userId.isEmpty else { throw RPCError(.invalidArgument, "order.user_id must not be empty") }
        guard !order.items.isEmpty else { throw RPCError(.invalidArgument, "order.items must not be empty") }
        var products = Set<String>()
        var total: Int64 = 0
        for (index, item) in order.items.enumerated() {
            let field = "order.items[\(index)]"
            guard !item.productId.isEmpty else { throw RPCError(.invalidArgument, "\(field).product_id must not be empty") }
            guard products.insert(item.productId).inserted else {
                throw RPCError(.invalidArgument, "\(field).product_id \(item.productId.statusPrefix()) appears twice")
            }
            guard item.quantity > 0 else { throw RPCError(.invalidArgument, "\(field).quantity must be positive") }
            guard item.unitPriceCents >= 0 else {
                throw RPCError(.invalidArgument, "\(field).unit_price_cents must not be negative")
            }
            let (lineTotal, lineOverflow) = item.quantity.multipliedReportingOverflow(by: item.unitPriceCents)
            let (sum, sumOverflow) = total.addingReportingOverflow(lineTotal)
            guard !lineOverflow, !sumOverflow else {
                throw RPCError(.invalidArgument, "order.total_cents: the lines' total is beyond Int64")
            }
            total = sum
        }
        guard order.totalCents == total else {
            throw RPCError(.invalidArgument, "order.total_cents is \(order.totalCents) but the lines add up to \(total)")
        }
        guard order.paymentDueAtMs > 0 else { throw RPCError(.invalidArgument, "order.payment_due_at_ms must be set") }
        return order
    }
}
