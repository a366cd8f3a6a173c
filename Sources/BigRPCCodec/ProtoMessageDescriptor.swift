internal import CProtobufC

/// A protobuf-c message descriptor: the runtime description of a message type
/// (its name, its fields and their offsets in the C struct) that protoc-c
/// generates as a static constant, or that a ``ProtoDescriptorPool`` built.
public struct ProtoMessageDescriptor: Hashable, @unchecked Sendable {
    // @unchecked Sendable: the pointee is a `static const` table emitted by
    // protoc-c, or a pool's table, never written after the pool's init;
    // `owner` keeps the pool alive.
    let pointer: UnsafePointer<ProtobufCMessageDescriptor>
    /// The pool that owns the C memory; nil for protoc-c's static tables.
    let owner: ProtoDescriptorPool?

    /// Wraps the address of a generated `ProtobufCMessageDescriptor`, as
    /// returned by the `…__descriptor_ptr()` accessors that protoc-gen-bigrpc
    /// writes next to protoc-c's output.
    public init(unsafeCDescriptor: UnsafeRawPointer) {
        let pointer = unsafeCDescriptor.assumingMemoryBound(to: ProtobufCMessageDescriptor.self)
        precondition(
            pointer.pointee.magic == PROTOBUF_C__MESSAGE_DESCRIPTOR_MAGIC,
            "not a protobuf-c message descriptor"
        )
        self.pointer = pointer
        self.owner = nil
    }

    init(_ pointer: UnsafePointer<ProtobufCMessageDescriptor>, owner: ProtoDescriptorPool?) {
        self.pointer = pointer
        self.owner = owner
    }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.pointer == rhs.pointer }
    public func hash(into hasher: inout Hasher) { hasher.combine(pointer) }

    /// The full protobuf name, e.g. `bigrpc.v1.Status`.
    public var fullName: String { String(cString: pointer.pointee.name) }

    /// The message's fields, ordered by field number.
    public var fields: [ProtoFieldDescriptor] {
        (0..<Int(pointer.pointee.n_fields)).map { ProtoFieldDescriptor(message: pointer, index: $0, owner: owner) }
    }

    /// The field with this number, if the message declares one.
    public func field(number: UInt32) -> ProtoFieldDescriptor? {
        guard let field = protobuf_c_message_descriptor_get_field(pointer, number) else { return nil }
        return ProtoFieldDescriptor(message: pointer, index: pointer.pointee.fields.distance(to: field), owner: owner)
    }

    /// The field with this name as written in the .proto file, if any.
    public func field(named name: String) -> ProtoFieldDescriptor? {
        guard let field = protobuf_c_message_descriptor_get_field_by_name(pointer, name) else { return nil }
        return ProtoFieldDescriptor(message: pointer, index: pointer.pointee.fields.distance(to: field), owner: owner)
    }
}

/// One field of a ``ProtoMessageDescriptor``.
public struct ProtoFieldDescriptor: Hashable, @unchecked Sendable {
    // @unchecked Sendable: points into a read-only table, as
    // ProtoMessageDescriptor does.
    let message: UnsafePointer<ProtobufCMessageDescriptor>
    /// The index of the field in its message's descriptor (fields are sorted by number).
    public let index: Int
    let owner: ProtoDescriptorPool?

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.message == rhs.message && lhs.index == rhs.index }
    public func hash(into hasher: inout Hasher) {
        hasher.combine(message)
        hasher.combine(index)
    }

    var c: ProtobufCFieldDescriptor { message.pointee.fields[index] }

    /// The name as written in the .proto file, e.g. `timeout_ms`.
    public var name: String { String(cString: c.name) }
    /// The field number.
    public var number: UInt32 { c.id }
    /// The field's protobuf type.
    public var type: ProtoFieldType { ProtoFieldType(c.type) }
    /// Whether the field is `repeated` (maps are repeated entry messages).
    public var isRepeated: Bool { c.label == PROTOBUF_C_LABEL_REPEATED }
    /// Whether the field tracks presence explicitly (proto2 `optional`).
    public var isOptional: Bool { c.label == PROTOBUF_C_LABEL_OPTIONAL }
    /// Whether the field is a member of a `oneof`.
    public var isOneofMember: Bool { c.flags & UInt32(PROTOBUF_C_FIELD_FLAG_ONEOF.rawValue) != 0 }
    /// For message fields, the field's message type.
    public var messageType: ProtoMessageDescriptor? {
        guard c.type == PROTOBUF_C_TYPE_MESSAGE, let raw = c.descriptor else { return nil }
        return ProtoMessageDescriptor(raw.assumingMemoryBound(to: ProtobufCMessageDescriptor.self), owner: owner)
    }
    /// For enum fields, the enum type.
    public var enumType: ProtoEnumDescriptor? {
        guard c.type == PROTOBUF_C_TYPE_ENUM, let raw = c.descriptor else { return nil }
        return ProtoEnumDescriptor(raw.assumingMemoryBound(to: ProtobufCEnumDescriptor.self), owner: owner)
    }
}

/// A protobuf-c enum descriptor.
public struct ProtoEnumDescriptor: Hashable, @unchecked Sendable {
    // @unchecked Sendable: points into a read-only table, as
    // ProtoMessageDescriptor does.
    let pointer: UnsafePointer<ProtobufCEnumDescriptor>
    let owner: ProtoDescriptorPool?

    init(_ pointer: UnsafePointer<ProtobufCEnumDescriptor>, owner: ProtoDescriptorPool?) {
        self.pointer = pointer
        self.owner = owner
    }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.pointer == rhs.pointer }
    public func hash(into hasher: inout Hasher) { hasher.combine(pointer) }

    /// The full protobuf name, e.g. `bigshop.orders.v1.OrderStatus`.
    public var fullName: String { String(cString: pointer.pointee.name) }

    /// The declared values as (name, number), in declaration order.
    public var values: [(name: String, number: Int32)] {
        (0..<Int(pointer.pointee.n_values)).map {
            let value = pointer.pointee.values[$0]
            return (String(cString: value.name), value.value)
        }
    }

    /// The name of `number`, if declared.
    public func name(of number: Int32) -> String? {
        guard let value = protobuf_c_enum_descriptor_get_value(pointer, number) else { return nil }
        return String(cString: value.pointee.name)
    }

    /// The number of the value called `name`, if declared.
    public func number(of name: String) -> Int32? {
        protobuf_c_enum_descriptor_get_value_by_name(pointer, name)?.pointee.value
    }
}

/// The protobuf field types protobuf-c supports.
public enum ProtoFieldType: Hashable, Sendable {
    case int32, sint32, sfixed32, int64, sint64, sfixed64
    case uint32, fixed32, uint64, fixed64
    case float, double, bool, `enum`, string, bytes, message

    init(_ type: ProtobufCType) {
        switch type {
        case PROTOBUF_C_TYPE_INT32: self = .int32
        case PROTOBUF_C_TYPE_SINT32: self = .sint32
        case PROTOBUF_C_TYPE_SFIXED32: self = .sfixed32
        case PROTOBUF_C_TYPE_INT64: self = .int64
        case PROTOBUF_C_TYPE_SINT64: self = .sint64
        case PROTOBUF_C_TYPE_SFIXED64: self = .sfixed64
        case PROTOBUF_C_TYPE_UINT32: self = .uint32
        case PROTOBUF_C_TYPE_FIXED32: self = .fixed32
        case PROTOBUF_C_TYPE_UINT64: self = .uint64
        case PROTOBUF_C_TYPE_FIXED64: self = .fixed64
        case PROTOBUF_C_TYPE_FLOAT: self = .float
        case PROTOBUF_C_TYPE_DOUBLE: self = .double
        case PROTOBUF_C_TYPE_BOOL: self = .bool
        case PROTOBUF_C_TYPE_ENUM: self = .enum
        case PROTOBUF_C_TYPE_STRING: self = .string
        case PROTOBUF_C_TYPE_BYTES: self = .bytes
        default: self = .message
        }
    }
}
