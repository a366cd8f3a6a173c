/// The outcome of ``Card/validate(_:now:)``: normalized, non-sensitive facts about a card.
///
/// Holds neither the number nor the CVV.
public struct ValidatedCard: Sendable, Hashable {
    /// Last four digits and brand.
    public let summary: CardSummary
    /// Expiry month with a four-digit year.
    public let expiry: YearMonth
    /// Number of installments, 1–12 (an input of 0 becomes 1).
    public let installments: Int
}
