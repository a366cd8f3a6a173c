/// A stored cart line: a product and how many units of it. Prices are not
/// stored; a cart is priced when it is shown.
struct CartLine: Sendable, Hashable {
    var productID: String
    var quantity: Int64
}
