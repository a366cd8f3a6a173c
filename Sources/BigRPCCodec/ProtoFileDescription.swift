/// A `.proto` file as its serialized `google.protobuf.FileDescriptorProto`
/// describes it: what reflection serves, and what ``ProtoDescriptorPool``
/// builds protobuf-c descriptors from.
///
/// Only what protobuf-c's runtime needs is read: names, fields (number,
/// label, type, `oneof`, `packed`, proto3 `optional`), enum values and
/// services (map entries are messages like any other). Options, proto2 default values and extensions are
/// not.
public struct ProtoFileDescription: Sendable {
    /// The file's path, e.g. `bigrpc/health/v1/health.proto`.
    public let name: String
    /// The proto package, e.g. `bigrpc.health.v1`.
    public let package: String
    /// The paths of the files it imports.
    public let dependencies: [String]
    /// The services it declares.
    public let services: [Service]
    let isProto3: Bool
    /// Every message, nested ones included, by full name in declaration order.
    let messages: [Message]
    /// Every enum, nested ones included.
    let enums: [Enumeration]

    /// A service, with full names for the service and its types.
    public struct Service: Sendable {
        public let name: String
        public let methods: [Method]
    }

    /// A method of a ``Service``.
    public struct Method: Sendable {
        public let name: String
        public let inputType: String
        public let outputType: String
        public let clientStreaming: Bool
        public let serverStreaming: Bool
    }

    struct Message {
        var name: String
        var fields: [Field] = []
    }

    struct Field {
        var name = ""
        var number: UInt32 = 0
        /// `FieldDescriptorProto.Label`: 1 optional, 2 required, 3 repeated.
        var label = 1
        /// `FieldDescriptorProto.Type`: 1 double … 18 sint64.
        var type = 0
        /// The full name of a message or enum type, without the leading dot.
        var typeName = ""
        var oneofIndex: Int?
        var isProto3Optional = false
        var packedOption: Bool?
    }

    struct Enumeration {
        var name: String
        var values: [(name: String, number: Int32)] = []
    }

    /// Parses a serialized `FileDescriptorProto`.
    public init(serializedBytes bytes: [UInt8]) throws(ProtoDecodingError) {
        var name = ""
        var package = ""
        var syntax = "proto2"
        var dependencies: [String] = []
        var messageBytes: [[UInt8]] = []
        var enumBytes: [[UInt8]] = []
        var services: [Service] = []
        for field in try Self.fields(bytes) {
            switch field.number {
            case 1: name = field.string
            case 2: package = field.string
            case 3: dependencies.append(field.string)
            case 4: messageBytes.append(field.bytes)
            case 5: enumBytes.append(field.bytes)
            case 6: services.append(try Self.service(field.bytes, package: package))
            case 12: syntax = field.string
            default: break
            }
        }
        self.name = name
        self.package = package
        self.dependencies = dependencies
        self.services = services
        self.isProto3 = syntax == "proto3"
        var messages: [Message] = []
        var enums: [Enumeration] = []
        for bytes in enumBytes { enums.append(try Self.enumeration(bytes, scope: package)) }
        for bytes in messageBytes { try Self.message(bytes, scope: package, depth: 1, into: &messages, &enums) }
        self.messages = messages
        self.enums = enums
    }

    /// The full names the file declares: messages, enums, services and
    /// methods (`package.Service.Method`).
    public var symbols: [String] {
        messages.map(\.name) + enums.map(\.name)
            + services.flatMap { service in
                [service.name] + service.methods.map { service.name + "." + $0.name }
            }
    }

    // MARK: Parsing

    private static func message(
        _ bytes: [UInt8], scope: String, depth: Int, into messages: inout [Message], _ enums: inout [Enumeration]
    ) throws(ProtoDecodingError) {
        // The bytes may come from any server: bound the recursion.
        guard depth <= 64 else {
            throw ProtoDecodingError(.nestingTooDeep(limit: 64), messageName: "google.protobuf.DescriptorProto")
        }
        let fields = try Self.fields(bytes)
        let name = qualified(fields.first { $0.number == 1 }?.string ?? "", in: scope)
        var message = Message(name: name)
        let index = messages.count
        messages.append(message)
        for field in fields {
            switch field.number {
            case 2: message.fields.append(try Self.field(field.bytes))
            case 3: try Self.message(field.bytes, scope: name, depth: depth + 1, into: &messages, &enums)
            case 4: enums.append(try Self.enumeration(field.bytes, scope: name))
            default: break
            }
        }
        messages[index] = message
    }

    private static func field(_ bytes: [UInt8]) throws(ProtoDecodingError) -> Field {
        var result = Field()
        for field in try Self.fields(bytes) {
            switch field.number {
            case 1: result.name = field.string
            case 3: result.number = UInt32(truncatingIfNeeded: field.varint)
            case 4: result.label = Int(truncatingIfNeeded: field.varint)
            case 5: result.type = Int(truncatingIfNeeded: field.varint)
            case 6: result.typeName = field.string.hasPrefix(".") ? String(field.string.dropFirst()) : field.string
            case 8: result.packedOption = try Self.fields(field.bytes).last { $0.number == 2 }.map { $0.varint != 0 }
            case 9: result.oneofIndex = Int(truncatingIfNeeded: field.varint)
            case 17: result.isProto3Optional = field.varint != 0
            default: break
            }
        }
        return result
    }

    private static func enumeration(_ bytes: [UInt8], scope: String) throws(ProtoDecodingError) -> Enumeration {
        var result = Enumeration(name: "")
        for field in try Self.fields(bytes) {
            switch field.number {
            case 1: result.name = qualified(field.string, in: scope)
            case 2:
                let value = try Self.fields(field.bytes)
                result.values.append(
                    (
                        value.first { $0.number == 1 }?.string ?? "",
                        Int32(truncatingIfNeeded: value.first { $0.number == 2 }?.varint ?? 0)
                    ))
            default: break
            }
        }
        return result
    }

    private static func service(_ bytes: [UInt8], package: String) throws(ProtoDecodingError) -> Service {
        var name = ""
        var methods: [Method] = []
        for field in try Self.fields(bytes) {
            switch field.number {
            case 1: name = qualified(field.string, in: package)
            case 2:
                let method = try Self.fields(field.bytes)
                func string(_ number: UInt32) -> String {
                    let value = method.last { $0.number == number }?.string ?? ""
                    return value.hasPrefix(".") ? String(value.dropFirst()) : value
                }
                func flag(_ number: UInt32) -> Bool { method.last { $0.number == number }.map { $0.varint != 0 } ?? false }
                methods.append(
                    Method(
                        name: string(1), inputType: string(2), outputType: string(3),
                        clientStreaming: flag(5), serverStreaming: flag(6)
                    ))
            default: break
            }
        }
        return Service(name: name, methods: methods)
    }

    private static func qualified(_ name: String, in scope: String) -> String {
        scope.isEmpty ? name : scope + "." + name
    }

    /// One field of an encoded message: a varint's value, or a
    /// length-delimited field's bytes (fixed-width fields are skipped).
    private struct WireField {
        var number: UInt32
        var varint: UInt64 = 0
        var bytes: [UInt8] = []
        var string: String { String(decoding: bytes, as: UTF8.self) }
    }

    private static func fields(_ bytes: [UInt8]) throws(ProtoDecodingError) -> [WireField] {
        let parsed: [WireField]? = bytes.withUnsafeBytes { buffer in
            var cursor = WireCursor(buffer)
            var fields: [WireField] = []
            while !cursor.isAtEnd {
                guard let key = cursor.varint(), key >> 3 != 0, key >> 3 <= 0x1FFF_FFFF else { return nil }
                var field = WireField(number: UInt32(key >> 3))
                switch key & 7 {
                case 0:
                    guard let value = cursor.varint() else { return nil }
                    field.varint = value
                case 1: guard cursor.skip(8) else { return nil }
                case 5: guard cursor.skip(4) else { return nil }
                case 2:
                    guard let length = cursor.varint(), let slice = cursor.take(length) else { return nil }
                    field.bytes = Array(slice)
                default: return nil
                }
                fields.append(field)
            }
            return fields
        }
        guard let parsed else {
            throw ProtoDecodingError(.malformed, messageName: "google.protobuf.FileDescriptorProto")
        }
        return parsed
    }
}
