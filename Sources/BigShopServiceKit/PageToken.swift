public import BigRPC

/// Opaque page tokens for list methods: a cursor (the sort key and id of the
/// last item of a page) in base64url, so clients cannot depend on its shape.
public struct PageToken: Hashable, Sendable {
    /// The fields of the cursor, in order.
    public var fields: [String]

    public init(_ fields: [String]) {
        self.fields = fields
    }

    /// The token string to hand to clients.
    public var encoded: String {
        Base64URL.encode(Array(fields.joined(separator: "\u{1F}").utf8))
    }

    /// Decodes a token a client sent back; a malformed one is INVALID_ARGUMENT
    /// naming `field`. An empty string is the first page (nil).
    public static func decode(_ token: String, fieldCount: Int, field: String = "page_token") throws(RPCError) -> PageToken? {
        guard !token.isEmpty else { return nil }
        guard let bytes = Base64URL.decode(token),
              let text = String(validating: bytes, as: UTF8.self) else {
            throw RPCError(.invalidArgument, "\(field) is not a token this server issued")
        }
        let fields = text.split(separator: "\u{1F}", omittingEmptySubsequences: false).map(String.init)
        guard fields.count == fieldCount else {
            throw RPCError(.invalidArgument, "\(field) is not a token this server issued")
        }
        return PageToken(fields)
    }

    /// A page size from a request: 0 means `defaultSize`; above `maxSize` is
    /// capped; negative is INVALID_ARGUMENT.
    public static func pageSize(_ requested: Int32, default defaultSize: Int, max maxSize: Int) throws(RPCError) -> Int {
        guard requested >= 0 else { throw RPCError(.invalidArgument, "page_size must not be negative") }
        return requested == 0 ? defaultSize : min(Int(requested), maxSize)
    }
}

/// Base64 with the URL-safe alphabet and no padding.
enum Base64URL {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    static func encode(_ bytes: [UInt8]) -> String {
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

    static func decode(_ text: String) -> [UInt8]? {
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
