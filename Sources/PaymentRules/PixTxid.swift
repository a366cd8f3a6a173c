/// Generation of Pix transaction identifiers (BR Code sub-field `62-05`).
///
/// The manual (§2.6.2) allows ASCII letters `a–z`, `A–Z` and digits `0–9`, at most 25 characters
/// in a static BR Code. Generated identifiers always use the full 25 characters.
public enum PixTxid {
    /// The length of generated identifiers.
    public static let length = 25

    private static let alphabet: [Character] = Array(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")

    /// A new 25-character identifier drawn from `SystemRandomNumberGenerator`.
    public static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        return generate(using: &generator)
    }

    /// A new 25-character identifier drawn from `generator` (uniform over the 62 characters).
    public static func generate<Generator: RandomNumberGenerator>(
        using generator: inout Generator
    ) -> String {
        var txid = ""
        for _ in 0..<length {
            txid.append(alphabet[Int.random(in: 0..<alphabet.count, using: &generator)])
        }
        return txid
    }

    /// Whether `scalar` is an ASCII letter or digit.
    static func alphabetContains(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "a"..."z", "A"..."Z", "0"..."9": true
        default: false
        }
    }
}
