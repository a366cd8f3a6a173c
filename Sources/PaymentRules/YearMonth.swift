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
