import Crypto

/// Session tokens: 256 random bits, handed to the client in base64url (43
/// characters, no padding). The server keeps only the SHA-256 of the token
/// text, in hex: a leaked database holds nothing that opens a session.
enum SessionToken {
    /// Random bytes per token.
    static let byteCount = 32
    /// Characters of a token: 32 bytes in unpadded base64url.
    static let length = 43

    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// A new token and the hash to store for it.
    static func generate() -> (token: String, hash: String) {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<byteCount).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        let token = base64URL(bytes)
        return (token, hash(of: token))
    }

    /// The stored form of `token`: SHA-256 of its UTF-8, lowercase hex.
    static func hash(of token: String) -> String {
        let digest = SHA256.hash(data: Array(token.utf8))
        return digest.map { byte in
            let hex = String(byte, radix: 16)
            return byte < 0x10 ? "0" + hex : hex
        }.joined()
    }

    /// Whether `token` could be one this server issued; anything else is
    /// refused without a database lookup.
    static func isWellFormed(_ token: String) -> Bool {
        token.utf8.count == length && token.utf8.allSatisfy { alphabet.contains($0) }
    }

    private static func base64URL(_ bytes: [UInt8]) -> String {
        var output: [UInt8] = []
        output.reserveCapacity((bytes.count * 4 + 2) / 3)
        var index = 0
        while index < bytes.count {
            let chunk = bytes[index..<min(index + 3, bytes.count)]
            var value: UInt32 = 0
            for (offset, byte) in chunk.enumerated() { value |= UInt32(byte) << (16 - 8 * offset) }
            for position in 0...chunk.count {
                output.append(alphabet[Int((value >> (18 - 6 * position)) & 0x3F)])
            }
            index += 3
        }
        return String(decoding: output, as: UTF8.self)
    }
}
