/// The acquirer's answer to a valid authorization request.
public enum AuthorizationResult: Sendable, Hashable {
    /// Approved, with the acquirer's authorization code.
    case approved(authorizationCode: String, card: CardSummary, amount: Int64, installments: Int)
    /// Refused by the issuer.
    case declined(reason: DeclineReason, card: CardSummary)
}
