public import BigRPCCodec

/// Writes messages as proto3 JSON, generically from their descriptors.
///
/// The mapping: fields by lowerCamelCase name in field-number order, fields
/// at their default value left out (a set `oneof` member is always written),
/// enums by name (by number when the schema does not declare it), 64-bit
/// integers as strings, bytes as standard base64, NaN and infinities as
/// `"NaN"`, `"Infinity"`, `"-Infinity"`, maps as objects in key order,
/// `google.protobuf.FieldMask` as a comma-separated string of lowerCamelCase
/// paths. The output is deterministic.
public struct ProtoJSONEncoder: Sendable {
    /// One member per line, indented by two spaces; otherwise one line.
    public var prettyPrinted: Bool

    /// An encoder writing indented JSON, or one line when `prettyPrinted` is false.
    public init(prettyPrinted: Bool = true) {
        self.prettyPrinted = prettyPrinted
    }

    /// The JSON text of `message`.
    ///
    /// Throws only for a FieldMask path with no JSON form (an uppercase
    /// letter, or `_` not followed by a lowercase letter).
    public func encode(_ message: DynamicMessage) throws(ProtoJSONError) -> String {
        var writer = JSONWriter(prettyPrinted: prettyPrinted)
        writer.write(try ProtoJSONEncoder.json(message, path: "$"))
        return writer.output
    }

    static func json(_ message: DynamicMessage, path: String) throws(ProtoJSONError) -> JSONValue {
        if message.descriptor.fullName == FieldMaskPaths.messageName {
            return try fieldMask(message, path: path)
        }
        var members: [(key: String, value: JSONValue)] = []
        for (field, content) in message.setFields {
            let name = field.jsonName
            let fieldPath = path + "." + name
            switch content {
            case .single(let value):
                guard field.isOneofMember || field.isOptional || !value.isDefault else { continue }
                members.append((name, try json(value, of: field, path: fieldPath)))
            case .repeated(let values):
                guard !values.isEmpty else { continue }
                var elements: [JSONValue] = []
                for (i, value) in values.enumerated() {
                    elements.append(try json(value, of: field, path: "\(fieldPath)[\(i)]"))
                }
                members.append((name, .array(elements)))
            case .map(let entries):
                guard !entries.isEmpty, let valueField = field.mapValue else { continue }
                var object: [(key: String, value: JSONValue)] = []
                for entry in entries {
                    let key = mapKey(entry.key)
                    object.append((key, try json(entry.value, of: valueField, path: "\(fieldPath)[\"\(key)\"]")))
                }
                members.append((name, .object(object)))
            }
        }
        return .object(members)
    }

    private static func json(_ value: DynamicValue, of field: ProtoFieldDescriptor, path: String) throws(ProtoJSONError) -> JSONValue {
        switch value {
        case .int32(let value): .number(String(value))
        case .uint32(let value): .number(String(value))
        case .int64(let value): .string(String(value))
        case .uint64(let value): .string(String(value))
        case .float(let value): floatingPoint(value)
        case .double(let value): floatingPoint(value)
        case .bool(let value): .bool(value)
        case .enumValue(let number): field.enumType?.name(of: number).map(JSONValue.string) ?? .number(String(number))
        case .string(let value): .string(value)
        case .bytes(let value): .string(Base64.encode(value))
        case .message(let message): try json(message, path: path)
        }
    }

    private static func floatingPoint<F: BinaryFloatingPoint & LosslessStringConvertible>(_ value: F) -> JSONValue {
        if value.isNaN { return .string("NaN") }
        if value.isInfinite { return .string(value < 0 ? "-Infinity" : "Infinity") }
        return .number(value.description)
    }

    /// A map key as a JSON member name: integers in decimal, bools as `true`/`false`.
    private static func mapKey(_ key: DynamicValue) -> String {
        switch key {
        case .string(let value): value
        case .int32(let value): String(value)
        case .int64(let value): String(value)
        case .uint32(let value): String(value)
        case .uint64(let value): String(value)
        case .bool(let value): value ? "true" : "false"
        case .float, .double, .enumValue, .bytes, .message: preconditionFailure("protobuf map keys are integers, bools or strings")
        }
    }

    private static func fieldMask(_ message: DynamicMessage, path: String) throws(ProtoJSONError) -> JSONValue {
        var paths: [String] = []
        if case .repeated(let values)? = message[fieldNamed: "paths"] {
            for case .string(let value) in values { paths.append(value) }
        }
        do {
            return .string(try FieldMaskPaths.json(paths))
        } catch {
            throw ProtoJSONError(
                .invalidValue("FieldMask path \"\(error.path)\" has no lowerCamelCase JSON form"),
                path: path
            )
        }
    }
}
