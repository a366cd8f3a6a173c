/// What may be kept about a card after validation: its last four digits and its brand.
public struct CardSummary: Sendable, Hashable {
    /// The last four digits of the number.
    public let last4: String
    /// The detected brand.
    public let brand: CardBrand

    /// Creates a summary.
    public init(last4: String, brand: CardBrand) {
        self.last4 = last4
        self.brand = brand
    }
}
