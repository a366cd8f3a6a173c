public import BigRPCCodec

/// Reads proto3 JSON into messages, generically from their descriptors.
///
/// Accepts what ``ProtoJSONEncoder`` writes and what the proto3 JSON mapping
/// allows besides: proto field names as well as lowerCamelCase ones, enum
/// numbers as well as names, integers as numbers or strings (an exponent or
/// fraction is fine when the value is integral), `"NaN"`, `"Infinity"` and
/// `"-Infinity"` for floats, base64 in the standard or URL-safe alphabet,
/// padded or not, and `null` for "unset". A member that names no field is an
/// error naming it and its message, as is every value its field's type
/// cannot take.
public struct ProtoJSONDecoder: Sendable {
    /// The deepest nesting of JSON objects and arrays accepted.
    public var maxDepth: Int

    /// A decoder refusing JSON nested deeper than `maxDepth` levels.
    public init(maxDepth: Int = 100) {
        self.maxDepth = maxDepth
    }

    /// Reads one JSON object as a message of `descriptor`'s type.
    public func decode(_ json: String, as descriptor: ProtoMessageDescriptor) throws(ProtoJSONError) -> DynamicMessage {
        var parser = JSONParser(json, maxDepth: maxDepth)
        let documents = try parser.parseSequence()
        guard documents.count == 1 else {
            let found = documents.isEmpty ? "no JSON document" : "\(documents.count) JSON documents"
            throw ProtoJSONError(.syntax("\(found) where one is expected"), path: "$")
        }
        return try ProtoJSONDecoder.message(documents[0], descriptor, path: "$")
    }

    /// Reads any number of JSON objects, separated by whitespace, as messages
    /// of `descriptor`'s type (the requests of a client stream). In errors,
    /// `$[i]` is the `i`-th object, from 0, when there are several.
    public func decodeSequence(_ json: String, as descriptor: ProtoMessageDescriptor) throws(ProtoJSONError) -> [DynamicMessage] {
        var parser = JSONParser(json, maxDepth: maxDepth)
        let documents = try parser.parseSequence()
        var messages: [DynamicMessage] = []
        for (i, document) in documents.enumerated() {
            let path = documents.count == 1 ? "$" : "$[\(i)]"
            messages.append(try ProtoJSONDecoder.message(document, descriptor, path: path))
        }
        return messages
    }

    // MARK: Messages and fields

    static func message(_ json: JSONValue, _ descriptor: ProtoMessageDescriptor, path: String) throws(ProtoJSONError) -> DynamicMessage {
        if descriptor.fullName == FieldMaskPaths.messageName {
            return try fieldMask(json, descriptor, path: path)
        }
        guard case .object(let members) = json else {
            throw invalid("expected an object for \(descriptor.fullName), found \(json.kind)", path)
        }
        let byJSONName = Dictionary(descriptor.fields.map { ($0.jsonName, $0) }, uniquingKeysWith: { first, _ in first })
        var message = DynamicMessage(descriptor: descriptor)
        var keyOfField: [UInt32: String] = [:]
        for (key, value) in members {
            guard let field = byJSONName[key] ?? descriptor.field(named: key) else {
                throw ProtoJSONError(.unknownField(key, message: descriptor.fullName), path: path)
            }
            guard keyOfField[field.number] == nil else {
                throw ProtoJSONError(.duplicateField(field.jsonName, message: descriptor.fullName), path: path)
            }
            keyOfField[field.number] = key
            if value == .null { continue }
            if let other = field.oneofMembers.first(where: { $0.number != field.number && message[$0] != nil }) {
                throw ProtoJSONError(
                    .oneofConflict(keyOfField[other.number] ?? other.jsonName, key, message: descriptor.fullName),
                    path: path
                )
            }
            message[field] = try content(value, of: field, path: path + "." + key)
        }
        return message
    }

    private static func content(_ json: JSONValue, of field: ProtoFieldDescriptor, path: String) throws(ProtoJSONError) -> DynamicField {
        if let keyField = field.mapKey, let valueField = field.mapValue {
            guard case .object(let members) = json else {
                throw invalid("expected an object for map field \(field.name), found \(json.kind)", path)
            }
            var entries: [DynamicMapEntry] = []
            var seen: Set<String> = []
            for (key, member) in members {
                let entryPath = "\(path)[\"\(key)\"]"
                guard seen.insert(key).inserted else { throw invalid("map key \"\(key)\" appears twice", entryPath) }
                entries.append(
                    DynamicMapEntry(
                        key: try mapKey(key, of: keyField, path: entryPath),
                        value: try value(member, of: valueField, path: entryPath)
                    ))
            }
            return .map(entries)
        }
        if field.isRepeated {
            guard case .array(let elements) = json else {
                throw invalid("expected an array for repeated field \(field.name), found \(json.kind)", path)
            }
            var values: [DynamicValue] = []
            for (i, element) in elements.enumerated() {
                values.append(try value(element, of: field, path: "\(path)[\(i)]"))
            }
            return .repeated(values)
        }
        return .single(try value(json, of: field, path: path))
    }

    private static func value(_ json: JSONValue, of field: ProtoFieldDescriptor, path: String) throws(ProtoJSONError) -> DynamicValue {
        switch field.type {
        case .int32, .sint32, .sfixed32: return .int32(try integer(json, of: field, path: path))
        case .int64, .sint64, .sfixed64: return .int64(try integer(json, of: field, path: path))
        case .uint32, .fixed32: return .uint32(try integer(json, of: field, path: path))
        case .uint64, .fixed64: return .uint64(try integer(json, of: field, path: path))
        case .float:
            let value = try floatingPoint(json, path: path)
            guard !value.isFinite || abs(value) <= Double(Float.greatestFiniteMagnitude) else {
                throw invalid("\(value) is out of range for float", path)
            }
            return .float(Float(value))
        case .double:
            return .double(try floatingPoint(json, path: path))
        case .bool:
            guard case .bool(let value) = json else { throw invalid("expected true or false, found \(json.kind)", path) }
            return .bool(value)
        case .string:
            guard case .string(let value) = json else { throw invalid("expected a string, found \(json.kind)", path) }
            return .string(value)
        case .bytes:
            guard case .string(let text) = json else { throw invalid("expected a base64 string, found \(json.kind)", path) }
            guard let bytes = Base64.decode(text) else { throw invalid("\"\(text)\" is not base64", path) }
            return .bytes(bytes)
        case .enum:
            return .enumValue(try enumNumber(json, of: field, path: path))
        case .message:
            guard json != .null else { throw invalid("null is not a message", path) }
            return .message(try message(json, field.messageType!, path: path))
        }
    }

    // MARK: Scalars

    /// An integer from a JSON number or a string holding one; a fraction or
    /// an exponent is accepted when the value is integral.
    private static func integer<T: FixedWidthInteger>(_ json: JSONValue, of field: ProtoFieldDescriptor, path: String) throws(ProtoJSONError) -> T {
        let text: String
        switch json {
        case .number(let number): text = number
        case .string(let string) where isJSONNumber(string): text = string
        default: throw invalid("expected an integer (\(field.type)), found \(json.kind)", path)
        }
        if let value = T(text, radix: 10) { return value }
        guard text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) else {
            throw invalid("\(text) is out of range for \(field.type)", path)
        }
        // An integral value written with a fraction or an exponent (5.0, 1e3),
        // exact only within a double's 53-bit mantissa.
        guard let double = Double(text), double == double.rounded(.towardZero), abs(double) <= 9_007_199_254_740_992,
            let value = T(exactly: double)
        else {
            throw invalid("\(text) is not an integer in range for \(field.type)", path)
        }
        return value
    }

    private static func floatingPoint(_ json: JSONValue, path: String) throws(ProtoJSONError) -> Double {
        switch json {
        case .string("NaN"): return .nan
        case .string("Infinity"): return .infinity
        case .string("-Infinity"): return -.infinity
        case .number(let text):
            return try finite(text, path: path)
        case .string(let text) where isJSONNumber(text):
            return try finite(text, path: path)
        default:
            throw invalid("expected a number, \"NaN\", \"Infinity\" or \"-Infinity\", found \(json.kind)", path)
        }
    }

    private static func finite(_ text: String, path: String) throws(ProtoJSONError) -> Double {
        guard let value = Double(text), value.isFinite else { throw invalid("\(text) is out of range", path) }
        return value
    }

    private static func enumNumber(_ json: JSONValue, of field: ProtoFieldDescriptor, path: String) throws(ProtoJSONError) -> Int32 {
        let type = field.enumType!
        switch json {
        case .string(let name):
            guard let number = type.number(of: name) else {
                throw invalid("\"\(name)\" is not a value of \(type.fullName)", path)
            }
            return number
        case .number(let text):
            guard let number = Int32(text) else { throw invalid("\(text) is not an enum number", path) }
            return number
        default:
            throw invalid("expected a \(type.fullName) name or number, found \(json.kind)", path)
        }
    }

    private static func mapKey(_ key: String, of field: ProtoFieldDescriptor, path: String) throws(ProtoJSONError) -> DynamicValue {
        switch field.type {
        case .string:
            return .string(key)
        case .bool:
            guard key == "true" || key == "false" else { throw invalid("map key \"\(key)\" is not true or false", path) }
            return .bool(key == "true")
        default:
            return try value(.string(key), of: field, path: path)
        }
    }

    private static func fieldMask(_ json: JSONValue, _ descriptor: ProtoMessageDescriptor, path: String) throws(ProtoJSONError) -> DynamicMessage {
        guard case .string(let text) = json else {
            throw invalid("expected a FieldMask string (comma-separated lowerCamelCase paths), found \(json.kind)", path)
        }
        let paths: [String]
        do {
            paths = try FieldMaskPaths.paths(text)
        } catch {
            throw invalid("FieldMask path \"\(error.path)\" is not lowerCamelCase", path)
        }
        var message = DynamicMessage(descriptor: descriptor)
        if !paths.isEmpty {
            message[fieldNamed: "paths"] = .repeated(paths.map(DynamicValue.string))
        }
        return message
    }

    /// Whether `text` is exactly one JSON number.
    private static func isJSONNumber(_ text: String) -> Bool {
        var parser = JSONParser(text, maxDepth: 1)
        guard let documents = try? parser.parseSequence() else { return false }
        return documents == [.number(text)]
    }

    private static func invalid(_ message: String, _ path: String) -> ProtoJSONError {
        ProtoJSONError(.invalidValue(message), path: path)
    }
}
