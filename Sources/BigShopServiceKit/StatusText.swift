extension String {
    /// At most `maxCharacters` Unicode scalars of the string, to quote client
    /// input in a status message: longer input is cut and ends with "…", and
    /// control and format characters (line breaks, bidi overrides) become
    /// U+FFFD, so a message never carries more than a short, one-line prefix
    /// of what a client sent, whatever its size.
    ///
    /// Counts scalars, not `Character`s: one grapheme cluster can hold any
    /// number of combining marks. Reads at most `maxCharacters + 1` scalars,
    /// so a 1 MB id costs no more than a short one.
    public func statusPrefix(_ maxCharacters: Int = 64) -> String {
        let limit = Swift.max(0, maxCharacters)
        var result = String.UnicodeScalarView()
        var taken = 0
        for scalar in unicodeScalars {
            guard taken < limit else {
                result.append("…")
                return String(result)
            }
            switch scalar.properties.generalCategory {
            case .control, .format, .lineSeparator, .paragraphSeparator:
                result.append("\u{FFFD}")
            default:
                result.append(scalar)
            }
            taken += 1
        }
        return String(result)
    }
}
