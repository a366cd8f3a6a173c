internal import CProtobufC

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Writes Swift values into the fields of a protobuf-c message that is about to
/// be packed.
///
/// Generated code receives a writer in ``ProtoMessage/write(to:)`` and sets
/// each field by its index in the message descriptor. Every string, array and
/// sub-message is copied into the encode call's arena, so the C struct never
/// points into Swift-owned memory. Only non-default values need to be set.
public struct ProtoWriter: ~Copyable {
    private let base: UnsafeMutableRawPointer
    private let descriptor: UnsafePointer<ProtobufCMessageDescriptor>
    // The arena lives on the stack of the encode call that lends out this
    // writer, and a writer never outlives that call.
    private let arena: UnsafeMutablePointer<ProtoArena>

    /// Allocates and initialises a C message of `descriptor`'s type in `arena`.
    init(descriptor: UnsafePointer<ProtobufCMessageDescriptor>, arena: UnsafeMutablePointer<ProtoArena>) {
        let message = arena.pointee.allocate(Int(descriptor.pointee.sizeof_message))
        if let initialize = descriptor.pointee.message_init {
            initialize(message.assumingMemoryBound(to: ProtobufCMessage.self))
        } else {
            // A ProtoDescriptorPool's descriptor: no defaults but zero.
            message.initializeMemory(as: UInt8.self, repeating: 0, count: Int(descriptor.pointee.sizeof_message))
            message.assumingMemoryBound(to: ProtobufCMessage.self).pointee.descriptor = descriptor
        }
        self.base = message
        self.descriptor = descriptor
        self.arena = arena
    }

    /// The C message being written.
    var message: UnsafeMutableRawPointer { base }

    @inline(__always)
    private func field(_ index: Int) -> UnsafePointer<ProtobufCFieldDescriptor> {
        assert(index >= 0 && index < Int(descriptor.pointee.n_fields), "field index out of range")
        return descriptor.pointee.fields + index
    }

    /// Stores a singular value and records its presence (the `oneof` case or
    /// the proto2 `has_` flag) where the field has one.
    @inline(__always)
    private func store<T>(_ index: Int, _ value: T) {
        let f = field(index).pointee
        base.storeBytes(of: value, toByteOffset: Int(f.offset), as: T.self)
        if f.flags & UInt32(PROTOBUF_C_FIELD_FLAG_ONEOF.rawValue) != 0 {
            base.storeBytes(of: f.id, toByteOffset: Int(f.quantifier_offset), as: UInt32.self)
        } else if f.label == PROTOBUF_C_LABEL_OPTIONAL,
            f.type != PROTOBUF_C_TYPE_MESSAGE, f.type != PROTOBUF_C_TYPE_STRING
        {
            base.storeBytes(of: 1, toByteOffset: Int(f.quantifier_offset), as: protobuf_c_boolean.self)
        }
    }

    private func nulError(_ index: Int) -> ProtoEncodingError {
        ProtoEncodingError(
            .stringContainsNUL,
            messageName: String(cString: descriptor.pointee.name),
            field: String(cString: field(index).pointee.name)
        )
    }

    // MARK: Singular fields

    public mutating func setInt32(_ index: Int, _ value: Int32) { store(index, value) }
    public mutating func setInt64(_ index: Int, _ value: Int64) { store(index, value) }
    public mutating func setUInt32(_ index: Int, _ value: UInt32) { store(index, value) }
    public mutating func setUInt64(_ index: Int, _ value: UInt64) { store(index, value) }
    public mutating func setFloat(_ index: Int, _ value: Float) { store(index, value) }
    public mutating func setDouble(_ index: Int, _ value: Double) { store(index, value) }
    public mutating func setBool(_ index: Int, _ value: Bool) { store(index, protobuf_c_boolean(value ? 1 : 0)) }
    public mutating func setEnumValue(_ index: Int, _ value: Int32) { store(index, value) }

    /// Sets a string field. A string holding a NUL byte is refused: protobuf-c
    /// stores strings NUL-terminated and would silently cut it.
    public mutating func setString(_ index: Int, _ value: String) throws(ProtoEncodingError) {
        store(index, try cString(value, index))
    }

    public mutating func setBytes(_ index: Int, _ value: [UInt8]) {
        store(index, ProtoWriter.binaryData(value, arena))
    }

    /// Sets a singular message field. Inlinable, so it is specialized for `M`
    /// in the generated code that calls it.
    @inlinable
    public mutating func setMessage<M: ProtoMessage>(_ index: Int, _ value: M) throws(ProtoEncodingError) {
        try setMessage(index) { sub throws(ProtoEncodingError) in try value.write(to: &sub) }
    }

    // MARK: Repeated fields

    /// Copies `values` into an arena array and stores its count and address.
    private func storeArray<T>(_ index: Int, _ values: [T]) {
        guard !values.isEmpty else { return }
        let f = field(index).pointee
        let storage = arena.pointee.allocate(values.count * MemoryLayout<T>.stride)
        values.withUnsafeBytes { storage.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        base.storeBytes(of: values.count, toByteOffset: Int(f.quantifier_offset), as: Int.self)
        base.storeBytes(of: storage, toByteOffset: Int(f.offset), as: UnsafeMutableRawPointer.self)
    }

    /// Allocates an arena array of `count` pointers, fills it with `element`
    /// and stores its count and address.
    private func storePointerArray(
        _ index: Int,
        count: Int,
        _ element: (Int) throws(ProtoEncodingError) -> UnsafeMutableRawPointer
    ) throws(ProtoEncodingError) {
        guard count > 0 else { return }
        let f = field(index).pointee
        let storage = arena.pointee.allocate(count * MemoryLayout<UnsafeMutableRawPointer>.stride)
            .bindMemory(to: UnsafeMutableRawPointer.self, capacity: count)
        for i in 0..<count {
            storage[i] = try element(i)
        }
        base.storeBytes(of: count, toByteOffset: Int(f.quantifier_offset), as: Int.self)
        base.storeBytes(of: UnsafeMutableRawPointer(storage), toByteOffset: Int(f.offset), as: UnsafeMutableRawPointer.self)
    }

    public mutating func setInt32s(_ index: Int, _ values: [Int32]) { storeArray(index, values) }
    public mutating func setInt64s(_ index: Int, _ values: [Int64]) { storeArray(index, values) }
    public mutating func setUInt32s(_ index: Int, _ values: [UInt32]) { storeArray(index, values) }
    public mutating func setUInt64s(_ index: Int, _ values: [UInt64]) { storeArray(index, values) }
    public mutating func setFloats(_ index: Int, _ values: [Float]) { storeArray(index, values) }
    public mutating func setDoubles(_ index: Int, _ values: [Double]) { storeArray(index, values) }
    public mutating func setBools(_ index: Int, _ values: [Bool]) {
        storeArray(index, values.map { protobuf_c_boolean($0 ? 1 : 0) })
    }
    public mutating func setEnumValues(_ index: Int, _ values: [Int32]) { storeArray(index, values) }

    public mutating func setStrings(_ index: Int, _ values: [String]) throws(ProtoEncodingError) {
        try storePointerArray(index, count: values.count) { i throws(ProtoEncodingError) in
            try cString(values[i], index)
        }
    }

    public mutating func setBytesArray(_ index: Int, _ values: [[UInt8]]) {
        let arena = self.arena
        storeArray(index, values.map { ProtoWriter.binaryData($0, arena) })
    }

    /// Sets a repeated message field. Inlinable, so it is specialized for `M`
    /// in the generated code that calls it.
    @inlinable
    public mutating func setMessages<M: ProtoMessage>(_ index: Int, _ values: [M]) throws(ProtoEncodingError) {
        try setMessages(index, count: values.count) { i, sub throws(ProtoEncodingError) in try values[i].write(to: &sub) }
    }

    /// Sets a map field from entries in the order they should be encoded
    /// (generated code sorts them by key so the encoding is deterministic).
    /// `entry` writes the key (index 0) and value (index 1) of one entry.
    public mutating func setMap<Key, Value>(
        _ index: Int,
        _ entries: [(key: Key, value: Value)],
        _ entry: (inout ProtoWriter, Key, Value) throws(ProtoEncodingError) -> Void
    ) throws(ProtoEncodingError) {
        try setMessages(index, count: entries.count) { i, writer throws(ProtoEncodingError) in
            try entry(&writer, entries[i].key, entries[i].value)
        }
    }

    // MARK: Message fields, filled in by a closure

    /// Sets a singular message field (or `oneof` member) to a C message of
    /// the field's type, which `write` fills in. Generated types and
    /// ``DynamicMessage`` both build their sub-messages here.
    @usableFromInline
    mutating func setMessage(
        _ index: Int,
        writing write: (inout ProtoWriter) throws(ProtoEncodingError) -> Void
    ) throws(ProtoEncodingError) {
        var sub = ProtoWriter(descriptor: subDescriptor(index), arena: arena)
        try write(&sub)
        store(index, sub.base)
    }

    /// Sets a repeated message field to `count` C messages of the field's
    /// type; `write` fills in the one at each position.
    @usableFromInline
    mutating func setMessages(
        _ index: Int,
        count: Int,
        writing write: (Int, inout ProtoWriter) throws(ProtoEncodingError) -> Void
    ) throws(ProtoEncodingError) {
        let descriptor = subDescriptor(index)
        let arena = self.arena
        try storePointerArray(index, count: count) { i throws(ProtoEncodingError) in
            var sub = ProtoWriter(descriptor: descriptor, arena: arena)
            try write(i, &sub)
            return sub.base
        }
    }

    private func subDescriptor(_ index: Int) -> UnsafePointer<ProtobufCMessageDescriptor> {
        field(index).pointee.descriptor!.assumingMemoryBound(to: ProtobufCMessageDescriptor.self)
    }

    // MARK: Conversions

    /// Copies `value`'s UTF-8 into the arena, NUL-terminated. The pointer
    /// protobuf-c gets must stay valid until the pack, after `write` has
    /// returned: Swift's own storage is only lent inside the closure (and a
    /// small string has no storage), so the bytes are copied, once, with no
    /// intermediate C string. The NUL check is a `memchr`.
    private func cString(_ value: String, _ index: Int) throws(ProtoEncodingError) -> UnsafeMutableRawPointer {
        let arena = self.arena
        let copy =
            value.utf8.withContiguousStorageIfAvailable { utf8 in ProtoWriter.copyCString(utf8, arena) }
            ?? { () -> UnsafeMutableRawPointer? in
                var value = value
                return value.withUTF8 { utf8 in ProtoWriter.copyCString(utf8, arena) }
            }()
        guard let copy else { throw nulError(index) }
        return copy
    }

    /// `utf8` and a NUL in the arena, or nil when `utf8` holds a NUL.
    @inline(__always)
    private static func copyCString(
        _ utf8: UnsafeBufferPointer<UInt8>,
        _ arena: UnsafeMutablePointer<ProtoArena>
    ) -> UnsafeMutableRawPointer? {
        let count = utf8.count
        let storage = arena.pointee.allocate(count + 1)
        if count > 0 {
            if memchr(utf8.baseAddress!, 0, count) != nil { return nil }
            storage.copyMemory(from: utf8.baseAddress!, byteCount: count)
        }
        storage.storeBytes(of: 0, toByteOffset: count, as: UInt8.self)
        return storage
    }

    private static func binaryData(_ value: [UInt8], _ arena: UnsafeMutablePointer<ProtoArena>) -> ProtobufCBinaryData {
        guard !value.isEmpty else { return ProtobufCBinaryData(len: 0, data: nil) }
        let storage = value.withUnsafeBytes { arena.pointee.copy($0) }
        return ProtobufCBinaryData(len: value.count, data: storage.assumingMemoryBound(to: UInt8.self))
    }
}
