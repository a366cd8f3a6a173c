import BigShopServiceKit
import Crypto

/// Session tokens: 256 random bits, handed to the client in base64url (43
/// characters, no padding). The server keeps only the SHA-256 of the token
/// text, in hex: a leaked database holds nothing that opens a session.
enum SessionToken {
    /// Random bytes per token.
    static let byteCount = 32
    /// Characters of a token: 32 bytes in unpadded base64url.
    static let length = 43

    /// A new token and the hash to store for it.
    static func generate() -> (token: String, hash: String) {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<byteCount).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        let token = Base64URL.encode(bytes)
        return (token, hash(of: token))
    }

    /// The stored form of `token`: SHA-256 of its UTF-8, lowercase hex.
    ///
    /// Runs on every authenticated call (the session cache is keyed by it),
    /// so the hex is written in one buffer rather than a string per byte.
    static func hash(of token: String) -> String {
        let digest = SHA256.hash(data: Array(token.utf8))
        return String(unsafeUninitializedCapacity: SHA256.byteCount * 2) { buffer in
            var index = 0
            for byte in digest {
                buffer[index] = hexDigits[Int(byte >> 4)]
                buffer[index + 1] = hexDigits[Int(byte & 0x0F)]
                index += 2
            }
            return index
        }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// Whether `token` could be one this server issued; anything else is
    /// refused without a database lookup.
    static func isWellFormed(_ token: String) -> Bool {
        guard token.utf8.count == length else { return false }
        for byte in token.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"):
                continue
            default:
                return false
            }
        }
        return true
    }
}
