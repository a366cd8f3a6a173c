/// One value of a ``DynamicMessage`` field: a scalar, an enum number or a
/// sub-message. Each scalar case is the C storage type of the protobuf types
/// it serves, so a value converts to and from protobuf-c without loss.
public enum DynamicValue: Hashable, Sendable {
    /// `int32`, `sint32` or `sfixed32`.
    case int32(Int32)
    /// `int64`, `sint64` or `sfixed64`.
    case int64(Int64)
    /// `uint32` or `fixed32`.
    case uint32(UInt32)
    /// `uint64` or `fixed64`.
    case uint64(UInt64)
    /// `float`.
    case float(Float)
    /// `double`.
    case double(Double)
    /// `bool`.
    case bool(Bool)
    /// An enum value by number, declared or not; the names are in the
    /// field's ``ProtoFieldDescriptor/enumType``.
    case enumValue(Int32)
    /// `string`: valid UTF-8, as Swift strings are; a NUL byte cannot be encoded.
    case string(String)
    /// `bytes`.
    case bytes([UInt8])
    /// A sub-message, of the field's ``ProtoFieldDescriptor/messageType``.
    case message(DynamicMessage)

    /// The default of a value of `field`'s type: zero, false, empty, the
    /// enum's number 0, or a message with no field set.
    public static func defaultValue(for field: ProtoFieldDescriptor) -> DynamicValue {
        switch field.type {
        case .int32, .sint32, .sfixed32: .int32(0)
        case .int64, .sint64, .sfixed64: .int64(0)
        case .uint32, .fixed32: .uint32(0)
        case .uint64, .fixed64: .uint64(0)
        case .float: .float(0)
        case .double: .double(0)
        case .bool: .bool(false)
        case .enum: .enumValue(0)
        case .string: .string("")
        case .bytes: .bytes([])
        case .message: .message(DynamicMessage(descriptor: field.messageType!))
        }
    }

    /// Whether the value is its type's default, which proto3 does not
    /// distinguish from unset. A message never is: it is present or not.
    public var isDefault: Bool {
        switch self {
        case .int32(let value): value == 0
        case .int64(let value): value == 0
        case .uint32(let value): value == 0
        case .uint64(let value): value == 0
        case .float(let value): value == 0
        case .double(let value): value == 0
        case .bool(let value): !value
        case .enumValue(let value): value == 0
        case .string(let value): value.isEmpty
        case .bytes(let value): value.isEmpty
        case .message: false
        }
    }

    /// Whether the value can be one of `field`'s: its case serves the
    /// field's type, and a message is of the field's message type.
    public func fits(_ field: ProtoFieldDescriptor) -> Bool {
        switch (self, field.type) {
        case (.int32, .int32), (.int32, .sint32), (.int32, .sfixed32),
            (.int64, .int64), (.int64, .sint64), (.int64, .sfixed64),
            (.uint32, .uint32), (.uint32, .fixed32),
            (.uint64, .uint64), (.uint64, .fixed64),
            (.float, .float), (.double, .double), (.bool, .bool), (.enumValue, .enum),
            (.string, .string), (.bytes, .bytes):
            true
        case (.message(let message), .message):
            message.descriptor == field.messageType
        default:
            false
        }
    }

    /// The order of map keys (integers, bools and strings) in which
    /// generated code encodes a map, so both encode a map the same way.
    static func mapKeyPrecedes(_ lhs: DynamicValue, _ rhs: DynamicValue) -> Bool {
        switch (lhs, rhs) {
        case (.int32(let a), .int32(let b)): a < b
        case (.int64(let a), .int64(let b)): a < b
        case (.uint32(let a), .uint32(let b)): a < b
        case (.uint64(let a), .uint64(let b)): a < b
        case (.bool(let a), .bool(let b)): !a && b
        case (.string(let a), .string(let b)): a < b
        default: false
        }
    }
}
