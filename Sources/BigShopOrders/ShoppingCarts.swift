import BigRPC
import BigShopCatalogAPI
import BigShopOrdersAPI
import BigShopServiceKit

/// Customers' carts: quantities kept in `orders.sqlite`, priced at current
/// catalog prices whenever they are shown.
///
/// Lines of products the catalog stopped selling (deleted since they were
/// added) are left out of every priced cart — so Checkout, which orders the
/// cart ``cart(of:)`` returns, never sees them — and are deleted by the next
/// ``setItem(_:quantity:for:)`` of that customer.
struct ShoppingCarts: Sendable {
    let store: CartStore
    let inventory: Bigshop_Catalog_V1_InventoryService.Client
    let settings: OrdersSettings

    /// `userID`'s cart at current prices.
    func cart(of userID: String) async throws -> Bigshop_Orders_V1_Cart {
        let lines = try await store.lines(of: userID)
        return try await PriceList.fetch(lines.map(\.productID), from: inventory).cart(of: lines)
    }

    /// Sets the quantity of `productID` in `userID`'s cart (0 removes it) and
    /// returns the cart at current prices. Stock is not checked.
    ///
    /// INVALID_ARGUMENT: an empty `product_id`; a negative `quantity` or one
    /// above ``OrdersSettings/maxQuantityPerLine``; a product the catalog does
    /// not sell (removing one is allowed); a cart total beyond Int64.
    ///
    /// FAILED_PRECONDITION (the shop rules): a quantity above
    /// ``OrdersSettings/maxUnitsPerProduct``, reason `PRODUCT_LIMIT_REACHED`
    /// (such a line could never be checked out); a new product beyond
    /// ``OrdersSettings/maxCartLines``, reason `CART_FULL`.
    func setItem(_ productID: String, quantity: Int64, for userID: String) async throws -> Bigshop_Orders_V1_Cart {
        guard !productID.isEmpty else { throw RPCError(.invalidArgument, "product_id must not be empty") }
        guard quantity >= 0 else { throw RPCError(.invalidArgument, "quantity must not be negative") }
        guard quantity <= settings.maxQuantityPerLine else {
            throw RPCError(.invalidArgument, "quantity must be at most \(settings.maxQuantityPerLine)")
        }
        guard quantity <= settings.maxUnitsPerProduct else {
            throw RPCError.refused(
                OrdersRefusalReason.productLimitReached,
                "at most \(settings.maxUnitsPerProduct) units of one product per customer")
        }
        let current = try await store.lines(of: userID)
        let prices = try await PriceList.fetch(current.map(\.productID) + [productID], from: inventory)
        if quantity > 0 {
            guard prices.product(productID) != nil else {
                throw RPCError(.invalidArgument, "product_id \(productID.statusPrefix()) is not a product on sale")
            }
            var projected = current.filter { $0.productID != productID }
            projected.append(CartLine(productID: productID, quantity: quantity))
            do {
                _ = try prices.cart(of: projected)
            } catch {
                throw RPCError(.invalidArgument, "quantity \(quantity) would take the cart's total beyond what an order can hold")
            }
        }
        let lines = try await store.setQuantity(
            quantity, of: productID, for: userID,
            maxLines: settings.maxCartLines,
            droppingUnavailable: prices.unavailable(in: current))
        // Another call of the same customer may have added a line meanwhile.
        let finalPrices = prices.covers(lines) ? prices : try await PriceList.fetch(lines.map(\.productID), from: inventory)
        return try finalPrices.cart(of: lines)
    }
}
