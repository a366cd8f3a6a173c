/// A deterministic stand-in for a card acquirer, for development and tests.
///
/// Validates the card with ``Card/validate(_:now:)``, then declines
/// ``declinedNumber`` (`card_declined`) and ``insufficientFundsNumber`` (`insufficient_funds`)
/// and approves every other valid card. The same request always gets the same answer and the
/// same six-digit authorization code.
public struct AcquirerSimulator: Sendable {
    /// Always declined with ``DeclineReason/cardDeclined``.
    public static let declinedNumber = "4000000000000002"
    /// Always declined with ``DeclineReason/insufficientFunds``.
    public static let insufficientFundsNumber = "4000000000009995"

    /// Creates a simulator.
    public init() {}

    /// Authorizes `amount` centavos on `card`.
    ///
    /// - Parameter now: The current month, for the expiry check.
    /// - Throws: ``AuthorizationError`` when the amount is not positive or a card field is invalid.
    public func authorize(
        _ card: CardInput, amount: Int64, now: YearMonth
    ) throws(AuthorizationError) -> AuthorizationResult {
        guard amount > 0 else { throw .invalidAmount(amount) }
        let validated: ValidatedCard
        let digits: String
        do {
            digits = try Card.normalizeNumber(card.number)
            validated = try Card.validate(card, now: now)
        } catch {
            throw .invalidCard(error)
        }
        switch digits {
        case Self.declinedNumber:
            return .declined(reason: .cardDeclined, card: validated.summary)
        case Self.insufficientFundsNumber:
            return .declined(reason: .insufficientFunds, card: validated.summary)
        default:
            let code = Self.authorizationCode(
                digits + "|" + String(amount) + "|" + String(validated.installments))
            return .approved(
                authorizationCode: code, card: validated.summary, amount: amount,
                installments: validated.installments)
        }
    }

    /// Six decimal digits derived from `request` with 64-bit FNV-1a.
    private static func authorizationCode(_ request: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in request.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
        let code = String(hash % 1_000_000)
        return String(repeating: "0", count: 6 - code.count) + code
    }
}

/// The acquirer's answer to a valid authorization request.
public enum AuthorizationResult: Sendable, Hashable {
    /// Approved, with the acquirer's authorization code.
    case approved(authorizationCode: String, card: CardSummary, amount: Int64, installments: Int)
    /// Refused by the issuer.
    case declined(reason: DeclineReason, card: CardSummary)
}

/// A request the acquirer rejected before contacting the issuer.
public enum AuthorizationError: Error, Sendable, Hashable {
    /// A card field is invalid.
    case invalidCard(CardValidationError)
    /// The amount (in centavos) is not positive.
    case invalidAmount(Int64)
}

/// Why the acquirer refused an otherwise valid card.
public enum DeclineReason: String, Sendable, Hashable, CaseIterable {
    /// Generic refusal by the issuer.
    case cardDeclined = "card_declined"
    /// The account cannot cover the amount.
    case insufficientFunds = "insufficient_funds"
}
