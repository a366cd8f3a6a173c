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
    /// decode when it runs unspecialized from another module.
    public static func decode<M: ProtoMessage>(
        _ type: M.Type,
        from buffer: UnsafeRawBufferPointer,
        limits: ProtoDecodingLimits = .default
    ) throws(ProtoDecodingError) -> M {
        try unpack(buffer, M.protoDescriptor.pointer, limits) { reader throws(ProtoDecodingError) in
            try M(protoReader: reader)
        }
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
        do {
            if let result = try bytes.withContiguousStorageIfAvailable({ buffer in
                try unpack(UnsafeRawBufferPointer(buffer), descriptor, limits, read)
            }) {
                return result
            }
            return try Array(bytes).withUnsafeBytes { buffer in try unpack(buffer, descriptor, limits, read) }
        } catch {
            throw error as! ProtoDecodingError
        }
    }

    private static func unpack<R>(
        _ buffer: UnsafeRawBufferPointer,
        _ descriptor: UnsafePointer<ProtobufCMessageDescriptor>,
        _ limits: ProtoDecodingLimits,
        _ read: (borrowing ProtoReader) throws(ProtoDecodingError) -> R
    ) throws(ProtoDecodingError) -> R {
        guard buffer.count <= limits.maxBytes else {
            throw ProtoDecodingError(
                .tooLarge(size: buffer.count, limit: limits.maxBytes),
                messageName: String(cString: descriptor.pointee.name)
            )
        }
        var validator = WireValidator(limits: limits)
        try validator.validate(buffer, descriptor)
        return try unpackInArena(buffer, descriptor, read)
    }

    /// protobuf-c allocates the C message from a ``ProtoArena`` whose first
    /// block is on this stack frame: no malloc per string, array and
    /// sub-message (none at all for a message whose C structs fit in 1 KiB),
    /// and no `free_unpacked` walk. protobuf-c's `free` calls (made only when
    /// a singular field repeats in the input or unpacking fails) are no-ops:
    /// the extra memory is bounded by the input, itself under the size limit.
    private static func unpackInArena<R>(
        _ buffer: UnsafeRawBufferPointer,
        _ descriptor: UnsafePointer<ProtobufCMessageDescriptor>,
        _ read: (borrowing ProtoReader) throws(ProtoDecodingError) -> R
    ) throws(ProtoDecodingError) -> R {
        try ProtoArena.withArena { (arena) throws(ProtoDecodingError) -> R in
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
            return try read(ProtoReader(message: UnsafeRawPointer(unpacked)))
        }
    }

    /// Encodes `message` in the protobuf binary format.
    public static func encode<M: ProtoMessage>(_ message: M) throws(ProtoEncodingError) -> [UInt8] {
        try pack(descriptor: M.protoDescriptor.pointer) { writer throws(ProtoEncodingError) in
            try message.write(to: &writer)
        }
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
