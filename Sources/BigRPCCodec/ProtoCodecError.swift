/// Why bytes could not be decoded as a message. Decoding never crashes or
/// leaks on bad input; it throws one of these.
public struct ProtoDecodingError: Error, Hashable, CustomStringConvertible {
    /// What went wrong.
    public enum Reason: Hashable, Sendable {
        /// The input is larger than ``ProtoDecodingLimits/maxBytes``.
        case tooLarge(size: Int, limit: Int)
        /// The bytes are not a valid protobuf encoding of the message.
        case malformed
        /// Messages nest deeper than ``ProtoDecodingLimits/maxDepth``.
        case nestingTooDeep(limit: Int)
        /// A string field holds a NUL byte, which protobuf-c's C strings cannot carry.
        case stringContainsNUL
        /// A string field is not valid UTF-8, as proto3 requires.
        case invalidUTF8
        /// More sub-messages in all than ``ProtoDecodingLimits/maxMessages``.
        case tooManyMessages
        /// A singular sub-message field occurs twice in one message; protobuf-c
        /// cannot merge the occurrences safely, so the codec refuses them.
        case repeatedSingularMessage
    }

    /// What went wrong.
    public var reason: Reason
    /// The full protobuf name of the message being decoded.
    public var messageName: String
    /// The field at fault, when one is known.
    public var field: String?

    public init(_ reason: Reason, messageName: String, field: String? = nil) {
        self.reason = reason
        self.messageName = messageName
        self.field = field
    }

    public var description: String {
        let location = field.map { "\(messageName).\($0)" } ?? messageName
        switch reason {
        case .tooLarge(let size, let limit):
            return "\(location): \(size) bytes exceed the limit of \(limit)"
        case .malformed:
            return "\(location): malformed protobuf encoding"
        case .nestingTooDeep(let limit):
            return "\(location): messages nested deeper than \(limit) levels"
        case .stringContainsNUL:
            return "\(location): string contains a NUL byte"
        case .invalidUTF8:
            return "\(location): string is not valid UTF-8"
        case .tooManyMessages:
            return "\(location): too many sub-messages"
        case .repeatedSingularMessage:
            return "\(location): a singular sub-message occurs more than once"
        }
    }
}

/// Why a message could not be encoded.
public struct ProtoEncodingError: Error, Hashable, CustomStringConvertible {
    /// What went wrong.
    public enum Reason: Hashable, Sendable {
        /// A string holds a NUL byte; protobuf-c would silently cut it there.
        case stringContainsNUL
    }

    /// What went wrong.
    public var reason: Reason
    /// The full protobuf name of the message being encoded.
    public var messageName: String
    /// The field at fault.
    public var field: String

    public init(_ reason: Reason, messageName: String, field: String) {
        self.reason = reason
        self.messageName = messageName
        self.field = field
    }

    public var description: String {
        switch reason {
        case .stringContainsNUL:
            return "\(messageName).\(field): string contains a NUL byte, which cannot be encoded"
        }
    }
}

/// Bounds applied to untrusted input before protobuf-c sees it.
public struct ProtoDecodingLimits: Hashable, Sendable {
    /// The largest encoded message accepted, in bytes.
    public var maxBytes: Int
    /// The deepest nesting of messages accepted (protobuf-c's unpacker
    /// recurses once per level and has no limit of its own).
    public var maxDepth: Int
    /// The most sub-messages accepted in one input, repeated ones included:
    /// each costs protobuf-c a heap allocation many times its wire size.
    public var maxMessages: Int

    public init(maxBytes: Int = 4 * 1024 * 1024, maxDepth: Int = 64, maxMessages: Int = 100_000) {
        self.maxBytes = maxBytes
        self.maxDepth = maxDepth
        self.maxMessages = maxMessages
    }

    /// 4 MiB, 64 levels, 100,000 sub-messages.
    public static let `default` = ProtoDecodingLimits()
}
