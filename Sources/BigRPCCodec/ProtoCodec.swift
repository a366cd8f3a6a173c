internal import CProtobufC

/// Encodes and decodes ``ProtoMessage`` values with protobuf-c.
///
/// This module is the only place that touches protobuf-c's C memory: the C
/// structs built for packing live in a per-call ``ProtoArena``, those
/// returned by unpacking are freed with `protobuf_c_message_free_unpacked`
/// or live in an arena too (inputs of 512 bytes or more), and all are gone
/// before these functions return.
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

        if buffer.count >= ProtoCodec.arenaDecodeThreshold {
            return try unpackInArena(buffer, descriptor, read)
        }
        // Small messages: protobuf-c's own allocator. Measured (Benchmarks/,
        // callgrind): for a 123-byte message an arena costs ~9% more
        // instructions than glibc's small-block fast path, for a 1.4 KB order
        // it saves ~12%.
        var empty: UInt8 = 0
        let unpacked = withUnsafePointer(to: &empty) { emptyPointer in
            protobuf_c_message_unpack(
                descriptor,
                nil,
                buffer.count,
                buffer.baseAddress?.assumingMemoryBound(to: UInt8.self) ?? emptyPointer
            )
        }
        guard let unpacked else {
            throw ProtoDecodingError(.malformed, messageName: String(cString: descriptor.pointee.name))
        }
        defer { protobuf_c_message_free_unpacked(unpacked, nil) }
        return try read(ProtoReader(message: UnsafeRawPointer(unpacked)))
    }

    /// Inputs of at least this many bytes are unpacked into an arena.
    static let arenaDecodeThreshold = 512

    /// protobuf-c allocates the C message from a ``ProtoArena``: one block
    /// for what would be a malloc per string, array and sub-message, and no
    /// `free_unpacked` walk. protobuf-c's `free` calls (made only when a
    /// singular field repeats in the input or unpacking fails) are no-ops:
    /// the extra memory is bounded by the input, itself under the size limit.
    private static func unpackInArena<R>(
        _ buffer: UnsafeRawBufferPointer,
        _ descriptor: UnsafePointer<ProtobufCMessageDescriptor>,
        _ read: (borrowing ProtoReader) throws(ProtoDecodingError) -> R
    ) throws(ProtoDecodingError) -> R {
        let arena = ProtoArena(firstBlockSize: ProtoArena.decodeFirstBlockSize)
        return try withExtendedLifetime(arena) { () throws(ProtoDecodingError) -> R in
            var allocator = ProtobufCAllocator(
                alloc: { data, size in
                    Unmanaged<ProtoArena>.fromOpaque(data!).takeUnretainedValue().allocate(size)
                },
                free: { _, _ in },
                allocator_data: Unmanaged.passUnretained(arena).toOpaque()
            )
            guard
                let unpacked = protobuf_c_message_unpack(
                    descriptor,
                    &allocator,
                    buffer.count,
                    buffer.baseAddress!.assumingMemoryBound(to: UInt8.self)
                )
            else {
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
        // message whose C structs fit in it allocates only the arena object
        // and the output array.
        let encoded: Result<[UInt8], ProtoEncodingError> = withUnsafeTemporaryAllocation(
            byteCount: ProtoArena.firstBlockSize,
            alignment: ProtoArena.alignment
        ) { firstBlock in
            let arena = ProtoArena(firstBlock: firstBlock.baseAddress!)
            return withExtendedLifetime(arena) { () -> Result<[UInt8], ProtoEncodingError> in
                var writer = ProtoWriter(descriptor: descriptor, arena: arena)
                do throws(ProtoEncodingError) {
                    try write(&writer)
                } catch {
                    return .failure(error)
                }
                let packed = writer.message.assumingMemoryBound(to: ProtobufCMessage.self)
                let size = protobuf_c_message_get_packed_size(packed)
                guard size > 0 else { return .success([]) }
                return .success(
                    [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
                        count = protobuf_c_message_pack(packed, buffer.baseAddress!)
                    })
            }
        }
        return try encoded.get()
    }
}
