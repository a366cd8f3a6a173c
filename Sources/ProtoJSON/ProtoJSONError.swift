/// Why JSON could not be mapped to a message, or a message to JSON.
public struct ProtoJSONError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong.
    public enum Reason: Hashable, Sendable {
        /// The text is not JSON; says what and where (line and column).
        case syntax(String)
        /// A JSON member names no field of `message` (by JSON or proto name).
        case unknownField(String, message: String)
        /// Two JSON members set the same field of `message` (e.g. by its JSON
        /// name and by its proto name).
        case duplicateField(String, message: String)
        /// Two members of one `oneof` of `message` are set.
        case oneofConflict(String, String, message: String)
        /// A JSON value the field's type cannot take; says why.
        case invalidValue(String)
        /// JSON nested deeper than the decoder's limit.
        case nestingTooDeep(limit: Int)
    }

    /// What went wrong.
    public var reason: Reason
    /// Where in the JSON document: `$` is the top, then members and indexes,
    /// e.g. `$.items[2].productId`.
    public var path: String

    /// An error of `reason` at `path` in the JSON document.
    public init(_ reason: Reason, path: String) {
        self.reason = reason
        self.path = path
    }

    public var description: String {
        let what =
            switch reason {
            case .syntax(let message): "invalid JSON: \(message)"
            case .unknownField(let name, let message): "unknown field \"\(name)\" in \(message)"
            case .duplicateField(let name, let message): "field \"\(name)\" of \(message) is set twice"
            case .oneofConflict(let first, let second, let message):
                "\"\(first)\" and \"\(second)\" of \(message) belong to one oneof: set only one"
            case .invalidValue(let message): message
            case .nestingTooDeep(let limit): "JSON nested deeper than \(limit) levels"
            }
        return path == "$" ? what : "\(path): \(what)"
    }
}
