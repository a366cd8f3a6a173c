import PaymentRules

/// Calendar arithmetic on Unix epoch milliseconds, without Foundation.
enum ShopCalendar {
    private static let millisecondsPerDay: Int64 = 86_400_000

    /// The month at `epochMs` in a time zone `utcOffsetMinutes` from UTC.
    static func yearMonth(atMs epochMs: Int64, utcOffsetMinutes: Int) -> YearMonth {
        let local = epochMs + Int64(utcOffsetMinutes) * 60_000
        let days = local >= 0 ? local / millisecondsPerDay : (local - millisecondsPerDay + 1) / millisecondsPerDay
        // Howard Hinnant's civil_from_days: eras of 400 years from 0000-03-01.
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let marchBasedMonth = (5 * dayOfYear + 2) / 153
        let month = marchBasedMonth < 10 ? marchBasedMonth + 3 : marchBasedMonth - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return YearMonth(year: Int(year), month: Int(month))
    }
}
