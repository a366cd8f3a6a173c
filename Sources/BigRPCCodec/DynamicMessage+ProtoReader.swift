extension DynamicMessage {
    /// Reads every field of a decoded C message of `descriptor`'s type.
    init(descriptor: ProtoMessageDescriptor, reader: borrowing ProtoReader) throws(ProtoDecodingError) {
        self.init(descriptor: descriptor)
        for field in descriptor.fields {
            if let content = try DynamicMessage.content(of: field, in: reader) {
                values[field.number] = content
            }
        }
    }

    /// A field's content, or nil when it is unset (proto3: a singular scalar
    /// at its default, an empty repeated field).
    private static func content(
        of field: ProtoFieldDescriptor,
        in reader: borrowing ProtoReader
    ) throws(ProtoDecodingError) -> DynamicField? {
        if field.isRepeated {
            let elements = try repeatedValues(of: field, in: reader)
            guard !elements.isEmpty else { return nil }
            guard field.isMap, let keyField = field.mapKey, let valueField = field.mapValue else {
                return .repeated(elements)
            }
            let entries = elements.map { element in
                guard case .message(let entry) = element else { preconditionFailure("a map entry is a message") }
                return DynamicMapEntry(
                    key: entry.singleValue(keyField) ?? .defaultValue(for: keyField),
                    value: entry.singleValue(valueField) ?? .defaultValue(for: valueField)
                )
            }
            return .map(DynamicMapEntry.canonical(entries))
        }
        // A oneof member shares its storage with the other members: read it
        // only when selected. Messages and proto2 optionals track presence.
        let tracksPresence = field.isOneofMember || field.isOptional || field.type == .message
        guard !tracksPresence || reader.has(field.index) else { return nil }
        let value = try singleValue(of: field, in: reader)
        guard tracksPresence || !value.isDefault else { return nil }
        return .single(value)
    }

    private static func singleValue(
        of field: ProtoFieldDescriptor,
        in reader: borrowing ProtoReader
    ) throws(ProtoDecodingError) -> DynamicValue {
        let index = field.index
        switch field.type {
        case .int32, .sint32, .sfixed32: return .int32(reader.int32(index))
        case .int64, .sint64, .sfixed64: return .int64(reader.int64(index))
        case .uint32, .fixed32: return .uint32(reader.uint32(index))
        case .uint64, .fixed64: return .uint64(reader.uint64(index))
        case .float: return .float(reader.float(index))
        case .double: return .double(reader.double(index))
        case .bool: return .bool(reader.bool(index))
        case .enum: return .enumValue(reader.enumValue(index))
        case .string: return .string(try reader.string(index))
        case .bytes: return .bytes(reader.bytes(index))
        case .message:
            let type = field.messageType!
            guard let pointer = reader.subMessages(index).first else { return .message(DynamicMessage(descriptor: type)) }
            return .message(try DynamicMessage(descriptor: type, reader: ProtoReader(message: pointer)))
        }
    }

    private static func repeatedValues(
        of field: ProtoFieldDescriptor,
        in reader: borrowing ProtoReader
    ) throws(ProtoDecodingError) -> [DynamicValue] {
        let index = field.index
        switch field.type {
        case .int32, .sint32, .sfixed32: return reader.int32s(index).map(DynamicValue.int32)
        case .int64, .sint64, .sfixed64: return reader.int64s(index).map(DynamicValue.int64)
        case .uint32, .fixed32: return reader.uint32s(index).map(DynamicValue.uint32)
        case .uint64, .fixed64: return reader.uint64s(index).map(DynamicValue.uint64)
        case .float: return reader.floats(index).map(DynamicValue.float)
        case .double: return reader.doubles(index).map(DynamicValue.double)
        case .bool: return reader.bools(index).map(DynamicValue.bool)
        case .enum: return reader.enumValues(index).map(DynamicValue.enumValue)
        case .string: return try reader.strings(index).map(DynamicValue.string)
        case .bytes: return reader.bytesArray(index).map(DynamicValue.bytes)
        case .message:
            let type = field.messageType!
            var messages: [DynamicValue] = []
            for pointer in reader.subMessages(index) {
                messages.append(.message(try DynamicMessage(descriptor: type, reader: ProtoReader(message: pointer))))
            }
            return messages
        }
    }

    /// The value of a set singular field.
    private func singleValue(_ field: ProtoFieldDescriptor) -> DynamicValue? {
        guard case .single(let value)? = values[field.number] else { return nil }
        return value
    }
}
