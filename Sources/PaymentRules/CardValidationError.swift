/// A card input that failed validation: which field, and why.
///
/// Never carries the card number or CVV, so it is safe to log and to return to clients.
public struct CardValidationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Why a field was rejected.
    public enum Reason: String, Sendable, Hashable, CaseIterable {
        /// The field is empty.
        case missing
        /// The field has characters it does not allow.
        case invalidCharacters = "invalid_characters"
        /// The field has the wrong number of characters or digits.
        case invalidLength = "invalid_length"
        /// The card number fails the Luhn check.
        case failedLuhnCheck = "failed_luhn_check"
        /// A number is outside its allowed range.
        case outOfRange = "out_of_range"
        /// The card expired before the current month.
        case expired
    }

    /// The rejected field.
    public let field: CardField
    /// Why it was rejected.
    public let reason: Reason

    /// Creates an error for `field`.
    public init(field: CardField, reason: Reason) {
        self.field = field
        self.reason = reason
    }

    /// `"<field>: <reason>"`, e.g. `"exp_month: expired"`.
    public var description: String {
        "\(field.rawValue): \(reason.rawValue)"
    }
}

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
