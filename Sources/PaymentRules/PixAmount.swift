/// Conversion between integer centavos and the decimal text of BR Code field `54`.
enum PixAmount {
    /// The maximum length of field `54` (Transaction Amount) in EMV QRCPS.
    static let maximumLength = 13

    /// Formats non-negative centavos as reais with two decimals: 48000 → "480.00", 5 → "0.05".
    static func format(centavos: Int64) -> String {
        let cents = centavos % 100
        return String(centavos / 100) + (cents < 10 ? ".0" : ".") + String(cents)
    }

    /// Parses field `54` text ("480.00", "10", "0.5") into centavos.
    ///
    /// Accepts digits with an optional decimal point followed by one or two digits; returns `nil`
    /// for anything else or on overflow.
    static func parse(_ text: String) -> Int64? {
        let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let whole = parts[0]
        let fraction = parts.count == 2 ? parts[1] : "00"
        guard !whole.isEmpty, whole.allSatisfy(isDigit),
            (1...2).contains(fraction.count), fraction.allSatisfy(isDigit),
            let reais = Int64(whole),
            let cents = Int64(fraction + (fraction.count == 1 ? "0" : ""))
        else {
            return nil
        }
        let (scaled, overflow) = reais.multipliedReportingOverflow(by: 100)
        let (total, overflowOnAdd) = scaled.addingReportingOverflow(cents)
        return overflow || overflowOnAdd ? nil : total
    }

    private static func isDigit(_ character: Character) -> Bool {
        character.isASCII && character.isWholeNumber
    }
}
