import ProtocPluginProtos

/// How one protobuf field maps to Swift: its type, default, and the
/// ``ProtoReader``/``ProtoWriter`` calls that convert it.
struct FieldModel {
    enum Cardinality {
        /// proto3 singular: no presence, a default value.
        case implicit
        /// proto2 `optional`: a Swift optional.
        case optional
        /// proto2 `required`.
        case required
        case repeated
        /// A member of the oneof at this index in the message's `oneof_decl`.
        case oneofMember(Int)
    }

    /// The Swift shape of the value, independent of cardinality.
    indirect enum ValueKind {
        /// A number or bool: Swift type and the reader/writer method stem
        /// (`int32` → `r.int32(i)`, `r.int32s(i)`, `w.setInt32`, `w.setInt32s`).
        case scalar(swiftType: String, stem: String, defaultValue: String)
        case string
        case bytes
        case enumeration(swiftType: String, defaultCase: String)
        case message(swiftType: String)
        case map(key: ValueKind, value: ValueKind, keyIsBool: Bool)
    }

    var proto: Google_Protobuf_FieldDescriptorProto
    /// Position among the message's fields sorted by number: the index into
    /// protobuf-c's field descriptor array.
    var index: Int
    var swiftName: String
    var cardinality: Cardinality
    var kind: ValueKind
    /// Stored in a `ProtoBox` because the field's type can contain the message.
    var isBoxed: Bool
    var comment: String?

    var number: Int32 { proto.number ?? 0 }

    static func valueKind(
        _ field: Google_Protobuf_FieldDescriptorProto,
        types: TypeIndex
    ) throws(GeneratorError) -> ValueKind {
        switch field.type {
        case .int32?, .sint32?, .sfixed32?: return .scalar(swiftType: "Int32", stem: "int32", defaultValue: "0")
        case .int64?, .sint64?, .sfixed64?: return .scalar(swiftType: "Int64", stem: "int64", defaultValue: "0")
        case .uint32?, .fixed32?: return .scalar(swiftType: "UInt32", stem: "uint32", defaultValue: "0")
        case .uint64?, .fixed64?: return .scalar(swiftType: "UInt64", stem: "uint64", defaultValue: "0")
        case .float?: return .scalar(swiftType: "Float", stem: "float", defaultValue: "0")
        case .double?: return .scalar(swiftType: "Double", stem: "double", defaultValue: "0")
        case .bool?: return .scalar(swiftType: "Bool", stem: "bool", defaultValue: "false")
        case .string?: return .string
        case .bytes?: return .bytes
        case .enum?:
            let info = try types.enumeration(field.typeName ?? "")
            return .enumeration(swiftType: info.swiftName, defaultCase: info.defaultCase)
        case .message?:
            let info = try types.message(field.typeName ?? "")
            if info.isMapEntry {
                let entryFields = info.proto.field.sorted { ($0.number ?? 0) < ($1.number ?? 0) }
                guard entryFields.count == 2 else {
                    throw GeneratorError("map entry \(info.fullName) must have a key and a value")
                }
                return .map(
                    key: try valueKind(entryFields[0], types: types),
                    value: try valueKind(entryFields[1], types: types),
                    keyIsBool: entryFields[0].type == .bool
                )
            }
            return .message(swiftType: info.swiftName)
        case .group?:
            throw GeneratorError("\(field.name ?? ""): groups are not supported (protobuf-c does not support them)")
        default:
            throw GeneratorError("\(field.name ?? ""): unsupported field type")
        }
    }

    /// The Swift type of a single value of `kind`.
    static func swiftType(_ kind: ValueKind) -> String {
        switch kind {
        case .scalar(let type, _, _): type
        case .string: "String"
        case .bytes: "[UInt8]"
        case .enumeration(let type, _): type
        case .message(let type): type
        case .map(let key, let value, _): "[\(swiftType(key)): \(swiftType(value))]"
        }
    }

    /// The Swift type of the property.
    var propertyType: String {
        let single = FieldModel.swiftType(kind)
        switch cardinality {
        case .repeated:
            if case .map = kind { return single }
            return "[\(single)]"
        case .optional, .oneofMember:
            return single + "?"
        case .implicit, .required:
            if case .message = kind { return single + "?" }
            return single
        }
    }

    /// The property's default value.
    var defaultValue: String {
        switch cardinality {
        case .repeated:
            if case .map = kind { return "[:]" }
            return "[]"
        case .optional, .oneofMember:
            return "nil"
        case .implicit, .required:
            return FieldModel.defaultValue(kind)
        }
    }

    static func defaultValue(_ kind: ValueKind) -> String {
        switch kind {
        case .scalar(_, _, let value): value
        case .string: "\"\""
        case .bytes: "[]"
        case .enumeration(_, let defaultCase): "." + defaultCase
        case .message: "nil"
        case .map: "[:]"
        }
    }

    // MARK: Reading

    /// An expression reading one value of `kind` at `index` from reader `r`.
    static func readExpression(_ kind: ValueKind, reader r: String, index: Int) -> String {
        switch kind {
        case .scalar(_, let stem, _): "\(r).\(stem)(\(index))"
        case .string: "try \(r).string(\(index))"
        case .bytes: "\(r).bytes(\(index))"
        case .enumeration(let type, _): "\(type)(rawValue: \(r).enumValue(\(index)))"
        case .message(let type): "try \(r).message(\(index), as: \(type).self)"
        case .map: "[:]"  // maps are read by `readStatement`
        }
    }

    /// An expression reading a repeated field of `kind` at `index`.
    static func readRepeatedExpression(_ kind: ValueKind, reader r: String, index: Int) -> String {
        switch kind {
        case .scalar(_, let stem, _): "\(r).\(stem)s(\(index))"
        case .string: "try \(r).strings(\(index))"
        case .bytes: "\(r).bytesArray(\(index))"
        case .enumeration(let type, _): "\(r).enumValues(\(index)).map(\(type).init(rawValue:))"
        case .message(let type): "try \(r).messages(\(index), as: \(type).self)"
        case .map(let key, let value, _):
            "try \(r).map(\(index)) { (entry: borrowing ProtoReader) throws(ProtoDecodingError) -> (\(swiftType(key)), \(swiftType(value))) in "
                + "(\(readMapPart(key, index: 0)), \(readMapPart(value, index: 1))) }"
        }
    }

    private static func readMapPart(_ kind: ValueKind, index: Int) -> String {
        if case .message(let type) = kind {
            return "try entry.message(\(index), as: \(type).self) ?? \(type)()"
        }
        return readExpression(kind, reader: "entry", index: index)
    }

    // MARK: Writing

    /// A statement writing one value `value` of `kind` at `index` with writer `w`.
    static func writeStatement(_ kind: ValueKind, writer w: String, index: Int, value: String) -> String {
        switch kind {
        case .scalar(_, let stem, _): "\(w).set\(upperFirst(stem))(\(index), \(value))"
        case .string: "try \(w).setString(\(index), \(value))"
        case .bytes: "\(w).setBytes(\(index), \(value))"
        case .enumeration: "\(w).setEnumValue(\(index), \(value).rawValue)"
        case .message: "try \(w).setMessage(\(index), \(value))"
        case .map: ""  // maps are written by `writeRepeatedStatement`
        }
    }

    /// A statement writing the repeated field `value` of `kind` at `index`.
    static func writeRepeatedStatement(_ kind: ValueKind, writer w: String, index: Int, value: String) -> String {
        switch kind {
        case .scalar(_, let stem, _): return "\(w).set\(upperFirst(stem))s(\(index), \(value))"
        case .string: return "try \(w).setStrings(\(index), \(value))"
        case .bytes: return "\(w).setBytesArray(\(index), \(value))"
        case .enumeration: return "\(w).setEnumValues(\(index), \(value).map(\\.rawValue))"
        case .message: return "try \(w).setMessages(\(index), \(value))"
        case .map(let key, let value2, let keyIsBool):
            let order = keyIsBool ? "{ !$0.key && $1.key }" : "{ $0.key < $1.key }"
            return "try \(w).setMap(\(index), \(value).sorted(by: \(order))) { "
                + "(entry: inout ProtoWriter, key: \(swiftType(key)), value: \(swiftType(value2))) throws(ProtoEncodingError) in "
                + writeStatement(key, writer: "entry", index: 0, value: "key") + "; "
                + writeStatement(value2, writer: "entry", index: 1, value: "value") + " }"
        }
    }

    private static func upperFirst(_ stem: String) -> String {
        switch stem {
        case "uint32": "UInt32"
        case "uint64": "UInt64"
        default: stem.prefix(1).uppercased() + stem.dropFirst()
        }
    }
}
