import BigShopPaymentsAPI

/// Card numbers the acquirer simulator knows, and a valid card around them.
enum TestCards {
    /// A valid Visa the simulator approves.
    static let approved = "4242424242424242"
    /// Declined with `card_declined`.
    static let declined = "4000000000000002"
    /// Declined with `insufficient_funds`.
    static let insufficientFunds = "4000000000009995"

    /// A card with `number`, valid through 2031.
    static func card(_ number: String) -> Bigshop_Payments_V1_CardMethod {
        Bigshop_Payments_V1_CardMethod(number: number, holder: "Ana Souza", expMonth: 12, expYear: 2031, cvv: "123")
    }
}
