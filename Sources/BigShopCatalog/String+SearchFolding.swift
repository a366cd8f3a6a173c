extension String {
    /// The form `query` is matched in: lowercased with Unicode rules, so
    /// "ÁGUA" finds "água" (SQLite's own `LIKE` and `lower()` fold ASCII only).
    var foldedForSearch: String { lowercased() }
}
