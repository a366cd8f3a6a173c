import BigShopOrdersAPI

extension Bigshop_Orders_V1_OrderStatus {
    /// The name stored in the database and shown in messages, e.g.
    /// `PENDING_PAYMENT`: stable text, independent of proto numbering.
    var storageName: String {
        switch self {
        case .unspecified: "UNSPECIFIED"
        case .pendingPayment: "PENDING_PAYMENT"
        case .confirmed: "CONFIRMED"
        case .shipped: "SHIPPED"
        case .delivered: "DELIVERED"
        case .cancelled: "CANCELLED"
        case .unrecognized(let number): "STATUS_\(number)"
        }
    }

    /// The status stored as `name`, or nil for a name this code never writes.
    init?(storageName name: String) {
        guard let status = Self.allCases.first(where: { $0.storageName == name }) else { return nil }
        self = status
    }

    /// Whether no status follows this one: DELIVERED or CANCELLED.
    var isFinal: Bool {
        self == .delivered || self == .cancelled
    }
}
