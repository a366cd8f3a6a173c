extension DynamicMessage {
    /// Writes every set field into a C message about to be packed.
    func write(to writer: inout ProtoWriter) throws(ProtoEncodingError) {
        for (number, content) in values {
            let index = descriptor.field(number: number)!.index
            switch content {
            case .single(let value):
                try DynamicMessage.write(value, at: index, to: &writer)
            case .repeated(let elements):
                try DynamicMessage.write(elements, at: index, to: &writer)
            case .map(let entries):
                try writer.setMessages(index, count: entries.count) { i, entry throws(ProtoEncodingError) in
                    try DynamicMessage.write(entries[i].key, at: 0, to: &entry)
                    try DynamicMessage.write(entries[i].value, at: 1, to: &entry)
                }
            }
        }
    }

    private static func write(_ value: DynamicValue, at index: Int, to writer: inout ProtoWriter) throws(ProtoEncodingError) {
        switch value {
        case .int32(let value): writer.setInt32(index, value)
        case .int64(let value): writer.setInt64(index, value)
        case .uint32(let value): writer.setUInt32(index, value)
        case .uint64(let value): writer.setUInt64(index, value)
        case .float(let value): writer.setFloat(index, value)
        case .double(let value): writer.setDouble(index, value)
        case .bool(let value): writer.setBool(index, value)
        case .enumValue(let value): writer.setEnumValue(index, value)
        case .string(let value): try writer.setString(index, value)
        case .bytes(let value): writer.setBytes(index, value)
        case .message(let message):
            try writer.setMessage(index) { sub throws(ProtoEncodingError) in try message.write(to: &sub) }
        }
    }

    /// Writes a repeated field's elements, all of one case (the subscript
    /// that set them checked they fit the field).
    private static func write(_ elements: [DynamicValue], at index: Int, to writer: inout ProtoWriter) throws(ProtoEncodingError) {
        switch elements.first {
        case nil: return
        case .int32?: writer.setInt32s(index, elements.map { if case .int32(let v) = $0 { v } else { mixed() } })
        case .int64?: writer.setInt64s(index, elements.map { if case .int64(let v) = $0 { v } else { mixed() } })
        case .uint32?: writer.setUInt32s(index, elements.map { if case .uint32(let v) = $0 { v } else { mixed() } })
        case .uint64?: writer.setUInt64s(index, elements.map { if case .uint64(let v) = $0 { v } else { mixed() } })
        case .float?: writer.setFloats(index, elements.map { if case .float(let v) = $0 { v } else { mixed() } })
        case .double?: writer.setDoubles(index, elements.map { if case .double(let v) = $0 { v } else { mixed() } })
        case .bool?: writer.setBools(index, elements.map { if case .bool(let v) = $0 { v } else { mixed() } })
        case .enumValue?: writer.setEnumValues(index, elements.map { if case .enumValue(let v) = $0 { v } else { mixed() } })
        case .string?: try writer.setStrings(index, elements.map { if case .string(let v) = $0 { v } else { mixed() } })
        case .bytes?: writer.setBytesArray(index, elements.map { if case .bytes(let v) = $0 { v } else { mixed() } })
        case .message?:
            try writer.setMessages(index, count: elements.count) { i, sub throws(ProtoEncodingError) in
                guard case .message(let message) = elements[i] else { mixed() }
                try message.write(to: &sub)
            }
        }
    }

    private static func mixed() -> Never {
        preconditionFailure("a repeated field's values must all be of its type")
    }
}
