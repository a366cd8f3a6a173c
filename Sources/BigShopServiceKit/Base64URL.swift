/// Base64 with the URL-safe alphabet and no padding.
public enum Base64URL {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// `bytes` as unpadded base64url text.
    public static func encode(_ bytes: [UInt8]) -> String {
        var output: [UInt8] = []
        output.reserveCapacity((bytes.count * 4 + 2) / 3)
        var index = 0
        while index < bytes.count {
            let chunk = bytes[index..<min(index + 3, bytes.count)]
            var value: UInt32 = 0
            for (offset, byte) in chunk.enumerated() { value |= UInt32(byte) << (16 - 8 * offset) }
            for position in 0..<(chunk.count + 1) {
                output.append(alphabet[Int((value >> (18 - 6 * position)) & 0x3F)])
            }
            index += 3
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// The bytes of unpadded base64url `text`, or nil if it is not that.
    public static func decode(_ text: String) -> [UInt8]? {
        var lookup = [UInt8: UInt32]()
        for (index, character) in alphabet.enumerated() { lookup[character] = UInt32(index) }
        let input = Array(text.utf8)
        guard input.count % 4 != 1 else { return nil }
        var output: [UInt8] = []
        var index = 0
        while index < input.count {
            let chunk = input[index..<min(index + 4, input.count)]
            var value: UInt32 = 0
            for (offset, character) in chunk.enumerated() {
                guard let sextet = lookup[character] else { return nil }
                value |= sextet << (18 - 6 * offset)
            }
            for position in 0..<(chunk.count - 1) {
                output.append(UInt8((value >> (16 - 8 * position)) & 0xFF))
            }
            index += 4
        }
        return output
    }
}
