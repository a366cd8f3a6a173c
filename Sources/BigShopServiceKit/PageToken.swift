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
            let text = String(validating: bytes, as: UTF8.self)
        else {
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
