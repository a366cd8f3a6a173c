/// A Swift value type generated from a protobuf message by `protoc-gen-bigrpc`.
///
/// Conforming types convert to and from protobuf-c's C representation through
/// ``ProtoReader`` and ``ProtoWriter``; ``ProtoCodec`` does the encoding and
/// decoding itself, in C.
public protocol ProtoMessage: Sendable, Hashable {
    /// The protobuf-c descriptor of the message, from the generated C code.
    static var protoDescriptor: ProtoMessageDescriptor { get }

    /// A message with every field at its default value.
    init()

    /// Reads every field from a decoded C message.
    init(protoReader reader: borrowing ProtoReader) throws(ProtoDecodingError)

    /// Writes every field into a C message about to be packed.
    func write(to writer: inout ProtoWriter) throws(ProtoEncodingError)
}

extension ProtoMessage {
    /// Decodes a message from its protobuf binary encoding.
    ///
    /// Untrusted input is safe: malformed bytes, strings holding a NUL byte or
    /// invalid UTF-8, nesting deeper than the limit and oversize input all throw.
    public init(
        serializedBytes bytes: some Collection<UInt8>,
        limits: ProtoDecodingLimits = .default
    ) throws(ProtoDecodingError) {
        self = try ProtoCodec.decode(Self.self, from: bytes, limits: limits)
    }

    /// Decodes a message from its protobuf binary encoding in an array: the
    /// same as the generic initializer, without its dispatch over the
    /// collection type. Inlinable, so it is specialized for the message type.
    @inlinable
    public init(
        serializedBytes bytes: [UInt8],
        limits: ProtoDecodingLimits = .default
    ) throws(ProtoDecodingError) {
        do {
            self = try bytes.withUnsafeBytes { buffer in
                try ProtoCodec.decode(Self.self, from: buffer, limits: limits)
            }
        } catch {
            // withUnsafeBytes rethrows untyped; only a ProtoDecodingError can
            // come out of its body.
            throw error as! ProtoDecodingError
        }
    }

    /// The message's protobuf binary encoding.
    @inlinable
    public func serializedBytes() throws(ProtoEncodingError) -> [UInt8] {
        try ProtoCodec.encode(self)
    }
}

/// A Swift enum generated from a protobuf enum. Unknown numbers are kept, so a
/// value written by a newer peer survives a round trip.
public protocol ProtoEnum: Sendable, Hashable, CaseIterable {
    /// Creates the case for `rawValue`, or the "unrecognized" case for numbers
    /// the schema does not declare.
    init(rawValue: Int32)
    /// The protobuf number of the value.
    var rawValue: Int32 { get }
}
