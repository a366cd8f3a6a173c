/// A request the acquirer rejected before contacting the issuer.
public enum AuthorizationError: Error, Sendable, Hashable {
    /// A card field is invalid.
    case invalidCard(CardValidationError)
    /// The amount (in centavos) is not positive.
    case invalidAmount(Int64)
}
