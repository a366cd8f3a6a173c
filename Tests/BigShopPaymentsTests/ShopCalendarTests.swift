import PaymentRules
import Testing

@testable import BigShopPayments

@Suite("ShopCalendar")
struct ShopCalendarTests {
    @Test(
        "the month at an instant in a time zone",
        arguments: [
            (Int64(0), 0, YearMonth(year: 1970, month: 1)),
            (Int64(-1), 0, YearMonth(year: 1969, month: 12)),
            (Int64(1_772_334_000_000), 0, YearMonth(year: 2026, month: 3)),  // 2026-03-01 03:00 UTC
            (Int64(1_772_334_000_000), -180, YearMonth(year: 2026, month: 3)),  // 00:00 in Brasília
            (Int64(1_772_333_999_999), -180, YearMonth(year: 2026, month: 2)),  // 23:59:59.999 the day before
            (Int64(1_709_164_800_000), 0, YearMonth(year: 2024, month: 2)),  // 2024-02-29
            (Int64(1_735_689_599_999), 0, YearMonth(year: 2024, month: 12)),  // 2024-12-31 23:59:59.999
            (Int64(1_735_689_600_000), 0, YearMonth(year: 2025, month: 1)),
            (Int64(951_782_400_000), 0, YearMonth(year: 2000, month: 2)),  // 2000-02-29
        ])
    func yearMonth(epochMs: Int64, offsetMinutes: Int, expected: YearMonth) {
        #expect(ShopCalendar.yearMonth(atMs: epochMs, utcOffsetMinutes: offsetMinutes) == expected)
    }
}
