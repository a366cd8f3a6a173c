internal import CProtobufC

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads the fields of one decoded protobuf-c message into Swift values.
///
/// Generated code receives a reader in ``ProtoMessage/init(protoReader:)`` and
/// asks for each field by its index in the message descriptor (fields sorted by
/// number). The reader is non-copyable and only lent out: the C memory it reads
/// belongs to the decode call and is gone when that call returns.
public struct ProtoReader: ~Copyable {
    private let base: UnsafeRawPointer
    private let descriptor: UnsafePointer<ProtobufCMessageDescriptor>

    @usableFromInline
    init(message: UnsafeRawPointer) {
        base = message
        descriptor = message.assumingMemoryBound(to: ProtobufCMessage.self).pointee.descriptor
    }

    @inline(__always)
    private func field(_ index: Int) -> UnsafePointer<ProtobufCFieldDescriptor> {
        assert(index >= 0 && index < Int(descriptor.pointee.n_fields), "field index out of range")
        return descriptor.pointee.fields + index
    }

    @inline(__always)
    private func load<T>(_ index: Int, as type: T.Type) -> T {
        base.load(fromByteOffset: Int(field(index).pointee.offset), as: T.self)
    }

    private func error(_ reason: ProtoDecodingError.Reason, _ index: Int) -> ProtoDecodingError {
        ProtoDecodingError(
            reason,
            messageName: String(cString: descriptor.pointee.name),
            field: String(cString: field(index).pointee.name)
        )
    }

    // MARK: Presence

    /// Whether the field is present: a proto2 `optional` field that was set, a
    /// sub-message that was sent, or the `oneof` member that is selected.
    /// Proto3 scalars have no presence and are always reported present.
    public func has(_ index: Int) -> Bool {
        let f = field(index).pointee
        if f.flags & UInt32(PROTOBUF_C_FIELD_FLAG_ONEOF.rawValue) != 0 {
            return base.load(fromByteOffset: Int(f.quantifier_offset), as: UInt32.self) == f.id
        }
        switch f.type {
        case PROTOBUF_C_TYPE_MESSAGE, PROTOBUF_C_TYPE_STRING:
            guard let pointer = base.load(fromByteOffset: Int(f.offset), as: UnsafeRawPointer?.self) else {
                return false
            }
            return f.label != PROTOBUF_C_LABEL_OPTIONAL || pointer != f.default_value
        default:
            if f.label == PROTOBUF_C_LABEL_OPTIONAL {
                return base.load(fromByteOffset: Int(f.quantifier_offset), as: protobuf_c_boolean.self) != 0
            }
            return true
        }
    }

    /// The number of the selected member of the `oneof` that the field at
    /// `index` belongs to, or 0 when none is selected.
    public func oneofCase(_ index: Int) -> UInt32 {
        base.load(fromByteOffset: Int(field(index).pointee.quantifier_offset), as: UInt32.self)
    }

    // MARK: Singular scalars

    public func int32(_ index: Int) -> Int32 { load(index, as: Int32.self) }
    public func int64(_ index: Int) -> Int64 { load(index, as: Int64.self) }
    public func uint32(_ index: Int) -> UInt32 { load(index, as: UInt32.self) }
    public func uint64(_ index: Int) -> UInt64 { load(index, as: UInt64.self) }
    public func float(_ index: Int) -> Float { load(index, as: Float.self) }
    public func double(_ index: Int) -> Double { load(index, as: Double.self) }
    public func bool(_ index: Int) -> Bool { load(index, as: protobuf_c_boolean.self) != 0 }

    /// An enum field's number; generated code maps it to the Swift enum.
    public func enumValue(_ index: Int) -> Int32 { load(index, as: Int32.self) }

    /// A string field. Throws on invalid UTF-8 (NUL bytes were refused before
    /// protobuf-c saw the input, so the C string's length is the real one).
    public func string(_ index: Int) throws(ProtoDecodingError) -> String {
        guard let pointer = load(index, as: UnsafePointer<CChar>?.self) else { return "" }
        return try makeString(pointer, index)
    }

    /// A bytes field.
    public func bytes(_ index: Int) -> [UInt8] {
        ProtoReader.makeBytes(load(index, as: ProtobufCBinaryData.self))
    }

    /// A singular sub-message, or nil when absent. Inlinable, so it is
    /// specialized for `M` in the generated code that calls it.
    @inlinable
    public func message<M: ProtoMessage>(_ index: Int, as type: M.Type) throws(ProtoDecodingError) -> M? {
        guard let pointer = messagePointer(index) else { return nil }
        return try M(protoReader: ProtoReader(message: pointer))
    }

    /// The address of a singular sub-message, or nil when absent.
    @usableFromInline
    func messagePointer(_ index: Int) -> UnsafeRawPointer? {
        load(index, as: UnsafeRawPointer?.self)
    }

    // MARK: Repeated fields

    private func count(_ index: Int) -> Int {
        base.load(fromByteOffset: Int(field(index).pointee.quantifier_offset), as: Int.self)
    }

    private func array<T>(_ index: Int, of type: T.Type) -> [T] {
        let n = count(index)
        guard n > 0, let start = load(index, as: UnsafePointer<T>?.self) else { return [] }
        return Array(UnsafeBufferPointer(start: start, count: n))
    }

    public func int32s(_ index: Int) -> [Int32] { array(index, of: Int32.self) }
    public func int64s(_ index: Int) -> [Int64] { array(index, of: Int64.self) }
    public func uint32s(_ index: Int) -> [UInt32] { array(index, of: UInt32.self) }
    public func uint64s(_ index: Int) -> [UInt64] { array(index, of: UInt64.self) }
    public func floats(_ index: Int) -> [Float] { array(index, of: Float.self) }
    public func doubles(_ index: Int) -> [Double] { array(index, of: Double.self) }
    public func bools(_ index: Int) -> [Bool] { array(index, of: protobuf_c_boolean.self).map { $0 != 0 } }
    public func enumValues(_ index: Int) -> [Int32] { array(index, of: Int32.self) }

    public func strings(_ index: Int) throws(ProtoDecodingError) -> [String] {
        let n = count(index)
        guard n > 0, let start = load(index, as: UnsafePointer<UnsafePointer<CChar>?>?.self) else { return [] }
        var result: [String] = []
        result.reserveCapacity(n)
        for i in 0..<n {
            result.append(try start[i].map { p throws(ProtoDecodingError) in try makeString(p, index) } ?? "")
        }
        return result
    }

    public func bytesArray(_ index: Int) -> [[UInt8]] {
        array(index, of: ProtobufCBinaryData.self).map(ProtoReader.makeBytes)
    }

    /// A repeated message field. Inlinable, so it is specialized for `M` in
    /// the generated code that calls it.
    @inlinable
    public func messages<M: ProtoMessage>(_ index: Int, as type: M.Type) throws(ProtoDecodingError) -> [M] {
        let pointers = messagePointers(index)
        guard !pointers.isEmpty else { return [] }
        var result: [M] = []
        result.reserveCapacity(pointers.count)
        for pointer in pointers {
            guard let pointer else { continue }
            result.append(try M(protoReader: ProtoReader(message: pointer)))
        }
        return result
    }

    /// The C messages of a repeated message field.
    @usableFromInline
    func messagePointers(_ index: Int) -> UnsafeBufferPointer<UnsafeRawPointer?> {
        let n = count(index)
        guard n > 0, let start = load(index, as: UnsafePointer<UnsafeRawPointer?>?.self) else {
            return UnsafeBufferPointer(start: nil, count: 0)
        }
        return UnsafeBufferPointer(start: start, count: n)
    }

    /// A map field: each entry message is lent to `entry`, which reads its key
    /// (index 0) and value (index 1). A repeated key keeps its last value.
    public func map<Key: Hashable, Value>(
        _ index: Int,
        _ entry: (borrowing ProtoReader) throws(ProtoDecodingError) -> (Key, Value)
    ) throws(ProtoDecodingError) -> [Key: Value] {
        let n = count(index)
        guard n > 0, let start = load(index, as: UnsafePointer<UnsafeRawPointer?>?.self) else { return [:] }
        var result: [Key: Value] = [:]
        result.reserveCapacity(n)
        for i in 0..<n {
            guard let pointer = start[i] else { continue }
            let (key, value) = try entry(ProtoReader(message: pointer))
            result[key] = value
        }
        return result
    }

    // MARK: Message fields by descriptor (DynamicCodec)

    /// The C messages a message field holds: the sub-message of a singular
    /// field (none when absent), or every element of a repeated one. The
    /// caller has checked ``has(_:)`` for a `oneof` member, whose storage is
    /// shared with the other members.
    func subMessages(_ index: Int) -> [UnsafeRawPointer] {
        guard field(index).pointee.label == PROTOBUF_C_LABEL_REPEATED else {
            return load(index, as: UnsafeRawPointer?.self).map { [$0] } ?? []
        }
        let n = count(index)
        guard n > 0, let start = load(index, as: UnsafePointer<UnsafeRawPointer?>?.self) else { return [] }
        return (0..<n).compactMap { start[$0] }
    }

    // MARK: Conversions

    private func makeString(_ pointer: UnsafePointer<CChar>, _ index: Int) throws(ProtoDecodingError) -> String {
        // `String(validatingCString:)` is not generic: `String(validating:as:)`
        // looked up generic metadata on every string (Benchmarks/: a quarter of
        // the decode time of a small message).
        guard let string = String(validatingCString: pointer) else {
            throw error(.invalidUTF8, index)
        }
        return string
    }

    private static func makeBytes(_ data: ProtobufCBinaryData) -> [UInt8] {
        guard data.len > 0, let start = data.data else { return [] }
        return Array(UnsafeBufferPointer(start: start, count: data.len))
    }
}
