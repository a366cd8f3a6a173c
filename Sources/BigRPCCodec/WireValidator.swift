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
        // The singular message fields seen at this level: numbers below 64 in
        // a bit set, the rest in an array (allocated only for such numbers; a
        // message with sub-messages allocated one per level before).
        var seenLowNumbers: UInt64 = 0
        var seenSingularMessages: [UInt32] = []
        var cursor = WireCursor(bytes)
        while !cursor.isAtEnd {
            guard let key = cursor.varint(), key >> 3 != 0, key >> 3 <= 0x1FFF_FFFF else {
                throw WireValidator.error(.malformed, descriptor)
            }
            switch key & 7 {
            case 0:
                guard cursor.varint() != nil else { throw WireValidator.error(.malformed, descriptor) }
            case 1:
                guard cursor.skip(8) else { throw WireValidator.error(.malformed, descriptor) }
            case 5:
                guard cursor.skip(4) else { throw WireValidator.error(.malformed, descriptor) }
            case 2:
                guard let length = cursor.varint(), let payload = cursor.take(length) else {
                    throw WireValidator.error(.malformed, descriptor)
                }
                guard let field = WireValidator.field(UInt32(key >> 3), descriptor) else {
                    continue  // unknown field: protobuf-c keeps its bytes aside, never parses them
                }
                switch field.pointee.type {
                case PROTOBUF_C_TYPE_STRING:
                    if payload.count > 0, memchr(payload.baseAddress!, 0, payload.count) != nil {
                        throw WireValidator.error(.stringContainsNUL, descriptor, field)
                    }
                case PROTOBUF_C_TYPE_MESSAGE:
                    messageBudget -= 1
                    guard messageBudget >= 0 else {
                        throw WireValidator.error(.tooManyMessages, descriptor, field)
                    }
                    if field.pointee.label != PROTOBUF_C_LABEL_REPEATED {
                        let number = field.pointee.id
                        let seen: Bool
                        if number < 64 {
                            seen = seenLowNumbers & (1 << UInt64(number)) != 0
                            seenLowNumbers |= 1 << UInt64(number)
                        } else {
                            seen = seenSingularMessages.contains(number)
                            seenSingularMessages.append(number)
                        }
                        guard !seen else {
                            throw WireValidator.error(.repeatedSingularMessage, descriptor, field)
                        }
                    }
                    let sub = field.pointee.descriptor.assumingMemoryBound(to: ProtobufCMessageDescriptor.self)
                    try validate(payload, sub, depth: depth + 1)
                default:
                    break
                }
            default:
                // Groups (3, 4) are not supported by protobuf-c; 6 and 7 do not exist.
                throw WireValidator.error(.malformed, descriptor)
            }
        }
    }

    /// The descriptor of field `number`: where fields are numbered 1, 2, 3…
    /// (most messages) it is the one at `number - 1`, with no call into
    /// protobuf-c's binary search.
    @inline(__always)
    private static func field(
        _ number: UInt32,
        _ descriptor: UnsafePointer<ProtobufCMessageDescriptor>
    ) -> UnsafePointer<ProtobufCFieldDescriptor>? {
        let index = Int(number) - 1
        if index < Int(descriptor.pointee.n_fields), descriptor.pointee.fields[index].id == number {
            return descriptor.pointee.fields + index
        }
        return protobuf_c_message_descriptor_get_field(descriptor, number)
    }

    /// An error of `descriptor`'s message (and `field`'s, if given); out of
    /// line, so the scan's loop holds no error-building code.
    @inline(never)
    private static func error(
        _ reason: ProtoDecodingError.Reason,
        _ descriptor: UnsafePointer<ProtobufCMessageDescriptor>,
        _ field: UnsafePointer<ProtobufCFieldDescriptor>? = nil
    ) -> ProtoDecodingError {
        ProtoDecodingError(
            reason,
            messageName: String(cString: descriptor.pointee.name),
            field: field.map { String(cString: $0.pointee.name) }
        )
    }
}

/// Reads protobuf wire primitives from a byte buffer, never past its end.
///
/// Works on the buffer's base address and an offset, with a one-byte fast path
/// for varints (tags and short lengths): the validator runs it over every
/// byte of every input, and the generic slicing it used before cost ~100
/// instructions per field (callgrind, Benchmarks/).
struct WireCursor {
    private let base: UnsafeRawPointer?
    private let count: Int
    private var offset = 0

    init(_ bytes: UnsafeRawBufferPointer) {
        base = bytes.baseAddress
        count = bytes.count
    }

    var isAtEnd: Bool { offset >= count }

    /// A base-128 varint of at most 10 bytes, or nil if truncated or too long.
    @inline(__always)
    mutating func varint() -> UInt64? {
        guard offset < count, let base else { return nil }
        let first = base.load(fromByteOffset: offset, as: UInt8.self)
        if first & 0x80 == 0 {
            offset += 1
            return UInt64(first)
        }
        return longVarint(base)
    }

    private mutating func longVarint(_ base: UnsafeRawPointer) -> UInt64? {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while offset < count, shift < 70 {
            let byte = base.load(fromByteOffset: offset, as: UInt8.self)
            offset += 1
            result |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
        }
        return nil
    }

    @inline(__always)
    mutating func skip(_ count: Int) -> Bool {
        guard self.count - offset >= count else { return false }
        offset += count
        return true
    }

    /// The next `count` bytes, or nil if fewer remain.
    @inline(__always)
    mutating func take(_ count: UInt64) -> UnsafeRawBufferPointer? {
        guard count <= UInt64(self.count - offset) else { return nil }
        let slice = UnsafeRawBufferPointer(start: base.map { $0 + offset }, count: Int(count))
        offset += Int(count)
        return slice
    }
}
