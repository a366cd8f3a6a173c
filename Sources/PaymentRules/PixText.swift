/// Normalization of merchant name and city for BR Codes.
///
/// The builder (``PixBRCode``) accepts only printable ASCII and never rewrites what it is given,
/// so that a payload can be reproduced byte for byte. Pix practice, however, is to send Merchant
/// Name (`59`) and Merchant City (`60`) in uppercase ASCII without accents, and several payer apps
/// reject anything else. Run user-facing text through ``normalize(_:maxLength:)`` first:
///
/// ```swift
/// PixText.normalize("São Paulo")                                  // "SAO PAULO"
/// PixText.normalize("Padaria Pão de Açúcar Ltda", maxLength: PixBRCode.maximumMerchantNameLength)
/// ```
///
/// Folding covers Latin-1 Supplement and Latin Extended-A letters (ã→a, ç→c, ß→ss, Æ→AE, Ł→L …)
/// and removes combining accents (U+0300–U+036F); any other non-ASCII character is dropped.
public enum PixText {
    /// Replaces accented Latin letters with their ASCII base letters, turns any whitespace into a
    /// space, and drops every other character outside printable ASCII. Letter case is kept.
    public static func foldingToASCII(_ text: String) -> String {
        var result = ""
        for scalar in text.unicodeScalars {
            if (0x20...0x7E).contains(scalar.value) {
                result.unicodeScalars.append(scalar)
            } else if scalar.properties.isWhitespace {
                result.append(" ")
            } else if let base = latinBase(of: scalar) {
                result += scalar.properties.isUppercase ? base.uppercased() : base
            }
        }
        return result
    }

    /// Folds to ASCII, uppercases, collapses runs of whitespace, trims, and truncates to
    /// `maxLength` characters when given (trailing spaces left by truncation are removed).
    ///
    /// `"  São  Paulo "` → `"SAO PAULO"`.
    public static func normalize(_ text: String, maxLength: Int? = nil) -> String {
        let words = foldingToASCII(text).uppercased().split(separator: " ")
        var result = words.joined(separator: " ")
        if let maxLength, result.count > maxLength {
            result = String(result.prefix(max(0, maxLength)))
            while result.last == " " {
                result.removeLast()
            }
        }
        return result
    }

    private static func latinBase(of scalar: Unicode.Scalar) -> String? {
        latinFolding.first { $0.range.contains(scalar.value) }?.base
    }

    /// Lowercase ASCII base letters for Latin-1 Supplement (U+00C0–U+00FF) and Latin Extended-A
    /// (U+0100–U+017F). U+00D7 (×) and U+00F7 (÷) are deliberately absent.
    private static let latinFolding: [(range: ClosedRange<UInt32>, base: String)] = [
        (0x00C0...0x00C5, "a"), (0x00C6...0x00C6, "ae"), (0x00C7...0x00C7, "c"),
        (0x00C8...0x00CB, "e"), (0x00CC...0x00CF, "i"), (0x00D0...0x00D0, "d"),
        (0x00D1...0x00D1, "n"), (0x00D2...0x00D6, "o"), (0x00D8...0x00D8, "o"),
        (0x00D9...0x00DC, "u"), (0x00DD...0x00DD, "y"), (0x00DE...0x00DE, "th"),
        (0x00DF...0x00DF, "ss"), (0x00E0...0x00E5, "a"), (0x00E6...0x00E6, "ae"),
        (0x00E7...0x00E7, "c"), (0x00E8...0x00EB, "e"), (0x00EC...0x00EF, "i"),
        (0x00F0...0x00F0, "d"), (0x00F1...0x00F1, "n"), (0x00F2...0x00F6, "o"),
        (0x00F8...0x00F8, "o"), (0x00F9...0x00FC, "u"), (0x00FD...0x00FD, "y"),
        (0x00FE...0x00FE, "th"), (0x00FF...0x00FF, "y"),
        (0x0100...0x0105, "a"), (0x0106...0x010D, "c"), (0x010E...0x0111, "d"),
        (0x0112...0x011B, "e"), (0x011C...0x0123, "g"), (0x0124...0x0127, "h"),
        (0x0128...0x0131, "i"), (0x0132...0x0133, "ij"), (0x0134...0x0135, "j"),
        (0x0136...0x0138, "k"), (0x0139...0x0142, "l"), (0x0143...0x014B, "n"),
        (0x014C...0x0151, "o"), (0x0152...0x0153, "oe"), (0x0154...0x0159, "r"),
        (0x015A...0x0161, "s"), (0x0162...0x0167, "t"), (0x0168...0x0173, "u"),
        (0x0174...0x0175, "w"), (0x0176...0x0178, "y"), (0x0179...0x017E, "z"),
        (0x017F...0x017F, "s"),
    ]
}
