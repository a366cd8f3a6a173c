internal import CProtobufC

/// Encodes and decodes ``ProtoMessage`` values with protobuf-c.
///
/// This module is the only place that touches protobuf-c's C memory: the C
/// structs built for packing live in a per-call ``ProtoArena``, those
/// returned by unpacking are freed with `protobuf_c_message_free_unpacked`,
/// and both are gone before these functions return.
public enum ProtoCodec {
    /// Decodes `bytes` as an `M`.
    public static func decode<M: ProtoMessage>(
        _ type: M.Type,
        from bytes: some Collection<UInt8>,
        limits: ProtoDecodingLimits = .default
    ) throws(ProtoDecodingError) -> M {
        let result = bytes.withContiguousStorageIfAvailable { buffer in
            Result { () throws(ProtoDecodingError) -> M in
                try decode(M.self, UnsafeRawBufferPointer(buffer), limits: limits)
            }
        }
        if let result { return try result.get() }
        let copy = Array(bytes)
        return try copy.withUnsafeBytes { buffer in
            Result { () throws(ProtoDecodingError) -> M in
                try decode(M.self, buffer, limits: limits)
            }
        }.get()
    }

    private static func decode<M: ProtoMessage>(
        _ type: M.Type,
        _ buffer: UnsafeRawBufferPointer,
        limits: ProtoDecodingLimits
    ) throws(ProtoDecodingError) -> M {
        let descriptor = M.protoDescriptor.pointer
        guard buffer.count <= limits.maxBytes else {
            throw ProtoDecodingError(
                .tooLarge(size: buffer.count, limit: limits.maxBytes),
                messageName: String(cString: descriptor.pointee.name)
            )
        }
        var validator = WireValidator(limits: limits)
        try validator.validate(buffer, descriptor)

        // protobuf-c's own allocator: measured faster than an arena for
        // decoding (each arena call costs more than glibc's small-block fast
        // path), and protobuf-c frees what it allocated when unpacking fails.
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
        return try M(protoReader: ProtoReader(message: UnsafeRawPointer(unpacked)))
    }

    /// Encodes `message` in the protobuf binary format.
    public static func encode<M: ProtoMessage>(_ message: M) throws(ProtoEncodingError) -> [UInt8] {
        let arena = ProtoArena()
        return try withExtendedLifetime(arena) { () throws(ProtoEncodingError) -> [UInt8] in
            var writer = ProtoWriter(descriptor: M.protoDescriptor.pointer, arena: arena)
            try message.write(to: &writer)
            let packed = writer.message.assumingMemoryBound(to: ProtobufCMessage.self)
            let size = protobuf_c_message_get_packed_size(packed)
            guard size > 0 else { return [] }
            return [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
                count = protobuf_c_message_pack(packed, buffer.baseAddress!)
            }
        }
    }
}
