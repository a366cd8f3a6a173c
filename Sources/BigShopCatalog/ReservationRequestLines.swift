import BigRPC
import BigShopCatalogAPI

/// The lines of a ReserveStock request, validated, with the quantities of a
/// product named on several lines summed into one line (at the position of
/// its first line).
struct ReservationRequestLines {
    struct Line {
        var productID: String
        var quantity: Int64
        /// The index of the product's first line in the request, for messages.
        var requestIndex: Int
    }

    var lines: [Line]

    /// - Throws: INVALID_ARGUMENT naming the field: no lines, too many, a line
    ///   without `product_id`, or a quantity outside 1...1,000,000,000.
    init(_ requested: [Bigshop_Catalog_V1_StockLine]) throws(RPCError) {
        guard !requested.isEmpty else { throw RPCError(.invalidArgument, "lines must not be empty") }
        guard requested.count <= CatalogLimits.maxReservationLines else {
            throw RPCError(.invalidArgument, "lines must hold at most \(CatalogLimits.maxReservationLines) lines")
        }
        var lines: [Line] = []
        var positions: [String: Int] = [:]
        for (index, line) in requested.enumerated() {
            guard !line.productId.isEmpty else {
                throw RPCError(.invalidArgument, "lines[\(index)].product_id is required")
            }
            guard (1...CatalogLimits.maxStock).contains(line.quantity) else {
                throw RPCError(.invalidArgument, "lines[\(index)].quantity must be between 1 and \(CatalogLimits.maxStock)")
            }
            if let position = positions[line.productId] {
                // At most 500 lines of at most 10^9 units each: no overflow.
                lines[position].quantity += line.quantity
            } else {
                positions[line.productId] = lines.count
                lines.append(Line(productID: line.productId, quantity: line.quantity, requestIndex: index))
            }
        }
        self.lines = lines
    }
}
