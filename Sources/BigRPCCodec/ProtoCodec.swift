internal import CProtobufC

/// Encodes and decodes ``ProtoMessage`` values with protobuf-c.
///
/// This module is the only place that touches protobuf-c's C memory: the C
/// structs built for packing and those protobuf-c unpacks into live in a
/// per-call ``ProtoArena`` on the stack, and all are gone before these
/// functions return.
public enum ProtoCodec {
    /// Decodes `bytes` as an `M`.
    public static func decode<M: ProtoMessage>(
        _ type: M.Type,
        from bytes: some Collection<UInt8>,
        limits: ProtoDecodingLimits = .default
    ) throws(ProtoDecodingError) -> M {
        try unpack(bytes, descriptor: M.protoDescriptor.pointer, limits: limits) { reader throws(ProtoDecodingError) in
            try M(protoReader: reader)
        }
    }

    /// Decodes the bytes of `buffer` as an `M`.
    ///
    /// The path of `init(serializedBytes:limits:)` for arrays: no generic
    /// dispatch over a collection type, which costs ~650 instructions per
    /// decode when it runs unspecialized from another module. Inlinable, so
    /// it is specialized for `M` in the module that decodes: unspecialized it
    /// looked up generic metadata for the arena's closures on every decode.
    @inlinable
    public static func decode<M: ProtoMessage>(
        _ type: M.Type,
        from buffer: UnsafeRawBufferPointer,
        limits: ProtoDecodingLimits = .default
    ) throws(ProtoDecodingError) -> M {
        var result: M? = nil
        try unpack(buffer, M.protoDescriptor, limits) { reader throws(ProtoDecodingError) in
            result = try M(protoReader: reader)
        }
        return result.unsafelyUnwrapped
    }

    /// The decode path every message takes, generated or dynamic: the size
    /// limit, the ``WireValidator`` pre-scan, `protobuf_c_message_unpack`,
    /// then `read` copies the values out of the C message, which is freed
    /// before this returns.
    static func unpack<R>(
        _ bytes: some Collection<UInt8>,
        descriptor: UnsafePointer<ProtobufCMessageDescriptor>,
        limits: ProtoDecodingLimits,
        _ read: (borrowing ProtoReader) throws(ProtoDecodingError) -> R
    ) throws(ProtoDecodingError) -> R {
        // No `Result` here: called from another module this runs unspecialized,
        // where each `Result` cost a heap box and a generic-metadata lookup
        // per decode (Benchmarks/: ~7 of the ~127 allocations of a unary call).
        // Only a ProtoDecodingError can come out of these closures.
        var result: R? = nil
        func body(_ buffer: UnsafeRawBufferPointer) throws(ProtoDecodingError) {
            try unpack(buffer, descriptor, limits) { reader throws(ProtoDecodingError) in result = try read(reader) }
        }
        do {
            if try bytes.withContiguousStorageIfAvailable({ buffer in try body(UnsafeRawBufferPointer(buffer)) }) == nil {
                try Array(bytes).withUnsafeBytes { buffer in try body(buffer) }
            }
        } catch {
            throw error as! ProtoDecodingError
        }
        return result.unsafelyUnwrapped
    }

    /// ``unpack(_:descriptor:limits:_:)`` for inlinable callers: not generic,
    /// so nothing in it needs generic metadata.
    @usableFromInline
    static func unpack(
        _ buffer: UnsafeRawBufferPointer,
        _ descriptor: ProtoMessageDescriptor,
        _ limits: ProtoDecodingLimits,
        _ read: (borrowing ProtoReader) throws(ProtoDecodingError) -> Void
    ) throws(ProtoDecodingError) {
        try unpack(buffer, descriptor.pointer, limits, read)
    }

    private static func unpack(
        _ buffer: UnsafeRawBufferPointer,
        _ descriptor: UnsafePointer<ProtobufCMessageDescriptor>,
        _ limits: ProtoDecodingLimits,
        _ read: (borrowing ProtoReader) throws(ProtoDecodingError) -> Void
    ) throws(ProtoDecodingError) {
        guard buffer.count <= limits.maxBytes else {
            throw ProtoDecodingError(
                .tooLarge(size: buffer.count, limit: limits.maxBytes),
                messageName: String(cString: descriptor.pointee.name)
            )
        }
        var validator = WireValidator(limits: limits)
        try validator.validate(buffer, descriptor)
        try unpackInArena(buffer, descriptor, read)
    }

    /// protobuf-c allocates the C message from a ``ProtoArena`` whose first
    /// block is on this stack frame: no malloc per string, array and
    /// sub-message (none at all for a message whose C structs fit in 1 KiB),
    /// and no `free_unpacked` walk. protobuf-c's `free` calls (made only when
    /// a singular field repeats in the input or unpacking fails) are no-ops:
    /// the extra memory is bounded by the input, itself under the size limit.
    private static func unpackInArena(
        _ buffer: UnsafeRawBufferPointer,
        _ descriptor: UnsafePointer<ProtobufCMessageDescriptor>,
        _ read: (borrowing ProtoReader) throws(ProtoDecodingError) -> Void
    ) throws(ProtoDecodingError) {
        try ProtoArena.withArena { (arena) throws(ProtoDecodingError) in
            var allocator = ProtobufCAllocator(
                alloc: { data, size in
                    data!.assumingMemoryBound(to: ProtoArena.self).pointee.allocate(size)
                },
                free: { _, _ in },
                allocator_data: UnsafeMutableRawPointer(arena)
            )
            var empty: UInt8 = 0
            let unpacked = withUnsafePointer(to: &empty) { emptyPointer in
                protobuf_c_message_unpack(
                    descriptor,
                    &allocator,
                    buffer.count,
                    buffer.baseAddress?.assumingMemoryBound(to: UInt8.self) ?? emptyPointer
                )
            }
            guard let unpacked else {
                throw ProtoDecodingError(.malformed, messageName: String(cString: descriptor.pointee.name))
            }
            try read(ProtoReader(message: UnsafeRawPointer(unpacked)))
        }
    }

    /// Encodes `message` in the protobuf binary format.
    ///
    /// Inlinable, so it is specialized for `M` in the module that encodes.
    @inlinable
    public static func encode<M: ProtoMessage>(_ message: M) throws(ProtoEncodingError) -> [UInt8] {
        try pack(M.protoDescriptor) { writer throws(ProtoEncodingError) in
            try message.write(to: &writer)
        }
    }

    /// ``pack(descriptor:_:)`` for inlinable callers.
    @usableFromInline
    static func pack(
        _ descriptor: ProtoMessageDescriptor,
        _ write: (inout ProtoWriter) throws(ProtoEncodingError) -> Void
    ) throws(ProtoEncodingError) -> [UInt8] {
        try pack(descriptor: descriptor.pointer, write)
    }

    /// The encode path every message takes, generated or dynamic: `write`
    /// fills a C message built in an arena, which protobuf-c packs; the arena
    /// is released before this returns.
    static func pack(
        descriptor: UnsafePointer<ProtobufCMessageDescriptor>,
        _ write: (inout ProtoWriter) throws(ProtoEncodingError) -> Void
    ) throws(ProtoEncodingError) -> [UInt8] {
        // The arena's first block lives on this stack frame: an encode of a
        // message whose C structs fit in it allocates only the output array.
        try ProtoArena.withArena { (arena) throws(ProtoEncodingError) -> [UInt8] in
            var writer = ProtoWriter(descriptor: descriptor, arena: arena)
            try write(&writer)
            let packed = writer.message.assumingMemoryBound(to: ProtobufCMessage.self)
            let size = protobuf_c_message_get_packed_size(packed)
            guard size > 0 else { return [] }
            return [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
                count = protobuf_c_message_pack(packed, buffer.baseAddress!)
            }
        }
    }
}
