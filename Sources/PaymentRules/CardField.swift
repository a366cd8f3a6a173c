/// A card input field, named as the checkout API names it.
public enum CardField: String, Sendable, Hashable, CaseIterable {
    /// The card number.
    case number
    /// The expiry month.
    case expMonth = "exp_month"
    /// The expiry year.
    case expYear = "exp_year"
    /// The card verification value.
    case cvv
    /// The number of installments.
    case installments
    /// The cardholder name.
    case holder
}
