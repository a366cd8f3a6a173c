internal import CProtobufC

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A pass over untrusted bytes, guided by the message descriptor, before
/// protobuf-c unpacks them. It refuses what protobuf-c would accept but
/// mishandle:
/// - a string field holding a NUL byte (protobuf-c keeps it, and every C
///   string reader would silently cut the string there);
/// - sub-messages nested deeper than the limit (protobuf-c recurses once per
///   level with no limit of its own, so deep input could exhaust the stack);
/// - more sub-messages in all than the limit (each costs protobuf-c an
///   allocation far larger than its bytes on the wire: 4 MiB of empty
///   sub-messages would take ~400 MB);
/// - a singular sub-message field sent twice in one message. The protobuf
///   spec says to merge the two, but protobuf-c 1.4.1's merge copies the
///   repeated fields again for every occurrence (quadratic: a 64 KB input
///   takes seconds and gigabytes), drops earlier scalars, and fails on unset
///   oneofs. No mainstream encoder splits a message this way, so refusing it
///   costs nothing real.
/// Anything structurally invalid is reported as malformed.
struct WireValidator {
    let maxDepth: Int
    /// Sub-messages left to accept in the whole input.
    var messageBudget: Int

    init(limits: ProtoDecodingLimits) {
        maxDepth = limits.maxDepth
        messageBudget = limits.maxMessages
    }

    mutating func validate(
        _ bytes: UnsafeRawBufferPointer,
        _ descriptor: UnsafePointer<ProtobufCMessageDescriptor>,
        depth: Int = 1
    ) throws(ProtoDecodingError) {
        guard depth <= maxDepth else {
            throw ProtoDecodingError(.nestingTooDeep(limit: maxDepth), messageName: String(cString: descriptor.pointee.name))
        }
        // Field numbers of the singular message fields seen at this level.
        var seenSingularMessages: [UInt32] = []
        var cursor = WireCursor(bytes)
        while !cursor.isAtEnd {
            guard let key = cursor.varint(), key >> 3 != 0, key >> 3 <= 0x1FFF_FFFF else {
                throw malformed(descriptor)
            }
            switch key & 7 {
            case 0:
                guard cursor.varint() != nil else { throw malformed(descriptor) }
            case 1:
                guard cursor.skip(8) else { throw malformed(descriptor) }
            case 5:
                guard cursor.skip(4) else { throw malformed(descriptor) }
            case 2:
                guard let length = cursor.varint(), let payload = cursor.take(length) else {
                    throw malformed(descriptor)
                }
                guard let field = protobuf_c_message_descriptor_get_field(descriptor, UInt32(key >> 3)) else {
                    continue  // unknown field: protobuf-c keeps its bytes aside, never parses them
                }
                switch field.pointee.type {
                case PROTOBUF_C_TYPE_STRING:
                    if let base = payload.baseAddress, memchr(base, 0, payload.count) != nil {
                        throw ProtoDecodingError(
                            .stringContainsNUL,
                            messageName: String(cString: descriptor.pointee.name),
                            field: String(cString: field.pointee.name)
                        )
                    }
                case PROTOBUF_C_TYPE_MESSAGE:
                    let name = { String(cString: descriptor.pointee.name) }
                    messageBudget -= 1
                    guard messageBudget >= 0 else {
                        throw ProtoDecodingError(.tooManyMessages, messageName: name(), field: String(cString: field.pointee.name))
                    }
                    if field.pointee.label != PROTOBUF_C_LABEL_REPEATED {
                        let number = field.pointee.id
                        guard !seenSingularMessages.contains(number) else {
                            throw ProtoDecodingError(.repeatedSingularMessage, messageName: name(), field: String(cString: field.pointee.name))
                        }
                        seenSingularMessages.append(number)
                    }
                    let sub = field.pointee.descriptor.assumingMemoryBound(to: ProtobufCMessageDescriptor.self)
                    try validate(payload, sub, depth: depth + 1)
                default:
                    break
                }
            default:
                // Groups (3, 4) are not supported by protobuf-c; 6 and 7 do not exist.
                throw malformed(descriptor)
            }
        }
    }

    private func malformed(_ descriptor: UnsafePointer<ProtobufCMessageDescriptor>) -> ProtoDecodingError {
        ProtoDecodingError(.malformed, messageName: String(cString: descriptor.pointee.name))
    }
}

/// Reads protobuf wire primitives from a byte buffer, never past its end.
struct WireCursor {
    private let bytes: UnsafeRawBufferPointer
    private var offset = 0

    init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    var isAtEnd: Bool { offset >= bytes.count }

    /// A base-128 varint of at most 10 bytes, or nil if truncated or too long.
    mutating func varint() -> UInt64? {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while offset < bytes.count, shift < 70 {
            let byte = bytes[offset]
            offset += 1
            result |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
        }
        return nil
    }

    mutating func skip(_ count: Int) -> Bool {
        guard bytes.count - offset >= count else { return false }
        offset += count
        return true
    }

    /// The next `count` bytes, or nil if fewer remain.
    mutating func take(_ count: UInt64) -> UnsafeRawBufferPointer? {
        guard count <= UInt64(bytes.count - offset) else { return nil }
        let slice = UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + Int(count)])
        offset += Int(count)
        return slice
    }
}
