/// Card validation rules. Every failure is a ``CardValidationError`` naming the field.
public enum Card {
    /// Accepted card number lengths, in digits.
    public static let numberLengths = 12...19
    /// Highest number of installments.
    public static let maximumInstallments = 12
    /// Longest accepted holder name, in characters.
    public static let maximumHolderLength = 50
    /// How many years after the current one an expiry year may lie.
    public static let maximumYearsAhead = 20

    /// Whether `digits` (ASCII digits only, at least two) pass the Luhn mod-10 check.
    public static func passesLuhn(_ digits: String) -> Bool {
        let values = digits.compactMap { $0.isASCII ? $0.wholeNumberValue : nil }
        guard values.count == digits.count, values.count >= 2 else { return false }
        var sum = 0
        for (position, value) in values.reversed().enumerated() {
            let doubled = value * 2
            sum += position.isMultiple(of: 2) ? value : (doubled > 9 ? doubled - 9 : doubled)
        }
        return sum.isMultiple(of: 10)
    }

    /// Strips spaces and dashes and checks digits only, 12–19 digits, and the Luhn digit.
    ///
    /// - Returns: The digits. Use them transiently; keep a ``CardSummary`` instead.
    /// - Throws: ``CardValidationError`` for field `number`.
    public static func normalizeNumber(_ raw: String) throws(CardValidationError) -> String {
        let digits = raw.filter { $0 != " " && $0 != "-" }
        guard !digits.isEmpty else { throw .init(field: .number, reason: .missing) }
        guard digits.allSatisfy({ $0.isASCII && $0.isWholeNumber }) else {
            throw .init(field: .number, reason: .invalidCharacters)
        }
        guard numberLengths.contains(digits.count) else {
            throw .init(field: .number, reason: .invalidLength)
        }
        guard passesLuhn(digits) else { throw .init(field: .number, reason: .failedLuhnCheck) }
        return digits
    }

    /// Checks an expiry date against the caller's current month.
    ///
    /// Two-digit years (0–99) mean 20xx; four-digit years are taken as they are. A card is valid
    /// through the last day of its expiry month, so an expiry equal to `now` passes.
    ///
    /// - Returns: The expiry with a four-digit year.
    /// - Throws: `exp_month` `out_of_range` (not 1–12); `exp_year` `out_of_range` (negative,
    ///   three or more than four digits, or more than ``maximumYearsAhead`` years ahead);
    ///   `expired` on `exp_year` when the year is past, on `exp_month` when only the month is.
    public static func validateExpiry(
        month: Int, year: Int, now: YearMonth
    ) throws(CardValidationError) -> YearMonth {
        guard (1...12).contains(month) else { throw .init(field: .expMonth, reason: .outOfRange) }
        let fullYear: Int
        switch year {
        case 0...99: fullYear = 2000 + year
        case 1000...9999: fullYear = year
        default: throw .init(field: .expYear, reason: .outOfRange)
        }
        if fullYear < now.year { throw .init(field: .expYear, reason: .expired) }
        if fullYear == now.year, month < now.month {
            throw .init(field: .expMonth, reason: .expired)
        }
        if fullYear > now.year + maximumYearsAhead {
            throw .init(field: .expYear, reason: .outOfRange)
        }
        return YearMonth(year: fullYear, month: month)
    }

    /// Checks a CVV: ASCII digits only; 4 digits for American Express, 3 for the other known
    /// brands, and 3 or 4 when the brand is ``CardBrand/unknown``.
    ///
    /// - Throws: ``CardValidationError`` for field `cvv`.
    public static func validateCVV(_ cvv: String, brand: CardBrand) throws(CardValidationError) {
        guard !cvv.isEmpty else { throw .init(field: .cvv, reason: .missing) }
        guard cvv.allSatisfy({ $0.isASCII && $0.isWholeNumber }) else {
            throw .init(field: .cvv, reason: .invalidCharacters)
        }
        let lengths: ClosedRange<Int> =
            switch brand {
            case .americanExpress: 4...4
            case .unknown: 3...4
            default: 3...3
            }
        guard lengths.contains(cvv.count) else { throw .init(field: .cvv, reason: .invalidLength) }
    }

    /// Maps 0 to 1 and accepts 1–12.
    ///
    /// - Throws: `installments` `out_of_range` otherwise.
    public static func normalizeInstallments(_ count: Int) throws(CardValidationError) -> Int {
        if count == 0 { return 1 }
        guard (1...maximumInstallments).contains(count) else {
            throw .init(field: .installments, reason: .outOfRange)
        }
        return count
    }

    /// Trims and collapses whitespace, then requires 1–50 characters made of letters (accented
    /// letters included), spaces, apostrophes, periods and hyphens, with at least one letter.
    ///
    /// - Returns: The normalized name.
    /// - Throws: ``CardValidationError`` for field `holder`.
    public static func normalizeHolder(_ name: String) throws(CardValidationError) -> String {
        let normalized = name.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        guard !normalized.isEmpty else { throw .init(field: .holder, reason: .missing) }
        guard normalized.allSatisfy({ $0.isLetter || " '.-".contains($0) }),
            normalized.contains(where: \.isLetter)
        else {
            throw .init(field: .holder, reason: .invalidCharacters)
        }
        guard normalized.count <= maximumHolderLength else {
            throw .init(field: .holder, reason: .invalidLength)
        }
        return normalized
    }

    /// Validates every field of `input`, in the order number, expiry (month, then year), CVV,
    /// holder, installments, and reports the first failure.
    ///
    /// - Parameter now: The current month in the shop's time zone.
    /// - Returns: Non-sensitive facts about the card; the number and CVV are not kept.
    public static func validate(
        _ input: CardInput, now: YearMonth
    ) throws(CardValidationError) -> ValidatedCard {
        let digits = try normalizeNumber(input.number)
        let brand = CardBrand(cardNumber: digits)
        let expiry = try validateExpiry(month: input.expMonth, year: input.expYear, now: now)
        try validateCVV(input.cvv, brand: brand)
        _ = try normalizeHolder(input.holder)
        let installments = try normalizeInstallments(input.installments)
        return ValidatedCard(
            summary: CardSummary(last4: String(digits.suffix(4)), brand: brand),
            expiry: expiry,
            installments: installments)
    }
}

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

/// A calendar month, used for card expiry dates and for the caller-supplied "now".
public struct YearMonth: Sendable, Hashable, Comparable {
    /// Four-digit year.
    public let year: Int
    /// Month, 1–12.
    public let month: Int

    /// Creates a month; values are stored as given.
    public init(year: Int, month: Int) {
        self.year = year
        self.month = month
    }

    /// Chronological order.
    public static func < (lhs: YearMonth, rhs: YearMonth) -> Bool {
        (lhs.year, lhs.month) < (rhs.year, rhs.month)
    }
}
