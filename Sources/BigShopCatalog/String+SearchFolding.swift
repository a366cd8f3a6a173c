import Foundation

extension String {
    /// The form names, skus and `query` are matched in: case and accents
    /// folded with Unicode rules, so "ÁGUA" finds "água", "cafe" finds "Café"
    /// and "iphone" finds "iPhone" (SQLite's own `LIKE` and `lower()` fold
    /// ASCII case only).
    var foldedForSearch: String {
        folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
    }
}
