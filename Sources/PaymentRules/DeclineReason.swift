/// Why the acquirer refused an otherwise valid card.
public enum DeclineReason: String, Sendable, Hashable, CaseIterable {
    /// Generic refusal by the issuer.
    case cardDeclined = "card_declined"
    /// The account cannot cover the amount.
    case insufficientFunds = "insufficient_funds"
}
