import BigShopPaymentsAPI

extension Bigshop_Payments_V1_PaymentStatus {
    /// The value of `payments.status`.
    var storageName: String {
        switch self {
        case .pending: "pending"
        case .approved: "approved"
        case .declined: "declined"
        case .expired: "expired"
        case .refunded: "refunded"
        case .unspecified, .unrecognized: "unspecified"
        }
    }

    /// The status a `payments.status` value names, or nil.
    init?(storageName: String) {
        guard let status = Self.allCases.first(where: { $0 != .unspecified && $0.storageName == storageName }) else {
            return nil
        }
        self = status
    }
}

extension Bigshop_Payments_V1_PaymentMethod {
    /// The value of `payments.method`.
    var storageName: String {
        switch self {
        case .pix: "pix"
        case .card: "card"
        case .unspecified, .unrecognized: "unspecified"
        }
    }

    /// The method a `payments.method` value names, or nil.
    init?(storageName: String) {
        switch storageName {
        case "pix": self = .pix
        case "card": self = .card
        default: return nil
        }
    }
}
