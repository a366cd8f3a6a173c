import BigRPC
import BigShopCatalogAPI
import BigShopOrdersAPI

/// Current catalog prices of some products, from one
/// `InventoryService.LookupProducts` call.
///
/// A product the catalog no longer sells (deleted, or unknown) is
/// *unavailable*: carts leave it out, so the cart a customer sees is exactly
/// what Checkout would order.
struct PriceList: Sendable {
    /// Purchasable products by id.
    private let products: [String: Bigshop_Catalog_V1_Product]
    /// Every id looked up.
    private let lookedUp: Set<String>

    /// Looks up `ids` (none: no call).
    static func fetch(
        _ ids: some Sequence<String>,
        from inventory: Bigshop_Catalog_V1_InventoryService.Client
    ) async throws -> PriceList {
        let ids = Array(Set(ids))
        guard !ids.isEmpty else { return PriceList(products: [:], lookedUp: []) }
        let response = try await inventory.lookupProducts(Bigshop_Catalog_V1_LookupProductsRequest(ids: ids))
        let deleted = Set(response.deletedIds)
        var products: [String: Bigshop_Catalog_V1_Product] = [:]
        for product in response.products where !deleted.contains(product.id) {
            products[product.id] = product
        }
        return PriceList(products: products, lookedUp: Set(ids))
    }

    /// The product `id` if the catalog sells it.
    func product(_ id: String) -> Bigshop_Catalog_V1_Product? {
        products[id]
    }

    /// Whether every product of `lines` was looked up.
    func covers(_ lines: [CartLine]) -> Bool {
        lines.allSatisfy { lookedUp.contains($0.productID) }
    }

    /// The ids of `lines`' products that were looked up and are unavailable.
    func unavailable(in lines: [CartLine]) -> Set<String> {
        Set(lines.lazy.map(\.productID).filter { lookedUp.contains($0) && products[$0] == nil })
    }

    /// `lines` priced, unavailable products left out; total = Σ quantity ×
    /// unit price. A total beyond Int64 is FAILED_PRECONDITION reason
    /// `CART_TOTAL_TOO_LARGE`.
    func cart(of lines: [CartLine]) throws(RPCError) -> Bigshop_Orders_V1_Cart {
        var cart = Bigshop_Orders_V1_Cart()
        for line in lines {
            guard let product = products[line.productID] else { continue }
            let (lineTotal, lineOverflow) = line.quantity.multipliedReportingOverflow(by: product.priceCents)
            let (total, totalOverflow) = cart.totalCents.addingReportingOverflow(lineTotal)
            guard !lineOverflow, !totalOverflow else {
                throw RPCError.refused(OrdersRefusalReason.cartTotalTooLarge, "the cart's total is beyond what an order can hold")
            }
            cart.totalCents = total
            cart.items.append(
                Bigshop_Orders_V1_CartItem(
                    productId: product.id, name: product.name, quantity: line.quantity, unitPriceCents: product.priceCents))
        }
        return cart
    }
}
