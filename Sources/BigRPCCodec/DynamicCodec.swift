/// Encodes and decodes ``DynamicMessage`` values with protobuf-c, for
/// messages known only by their descriptor.
///
/// The same path as ``ProtoCodec`` for generated types: decoding checks the
/// size limit, pre-scans the bytes (NUL in strings, nesting, sub-message
/// count, split sub-messages), unpacks with protobuf-c, copies the values
/// into Swift (validating UTF-8) and frees the C message; encoding builds the
/// C message in an arena by the descriptor's offsets, refusing strings that
/// hold NUL, and packs it. No C memory outlives a call.
public enum DynamicCodec {
    /// Decodes `bytes` as a message of `descriptor`'s type.
    ///
    /// Untrusted input is safe: whatever ``ProtoCodec/decode(_:from:limits:)``
    /// refuses, this refuses with the same ``ProtoDecodingError``.
    public static func decode(
        _ bytes: some Collection<UInt8>,
        as descriptor: ProtoMessageDescriptor,
        limits: ProtoDecodingLimits = .default
    ) throws(ProtoDecodingError) -> DynamicMessage {
        try ProtoCodec.unpack(bytes, descriptor: descriptor.pointer, limits: limits) { reader throws(ProtoDecodingError) in
            try DynamicMessage(descriptor: descriptor, reader: reader)
        }
    }

    /// Encodes `message` in the protobuf binary format: the same bytes as the
    /// generated type's encoding of the same values.
    public static func encode(_ message: DynamicMessage) throws(ProtoEncodingError) -> [UInt8] {
        try ProtoCodec.pack(descriptor: message.descriptor.pointer) { writer throws(ProtoEncodingError) in
            try message.write(to: &writer)
        }
    }
}
