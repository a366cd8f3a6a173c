import BigShopPaymentsAPI

/// A row of `payments`: the payment as the API shows it, and its owner.
struct StoredPayment: Sendable, Hashable {
    var payment: Bigshop_Payments_V1_Payment
    /// The customer whose order it pays.
    var userID: String
}
