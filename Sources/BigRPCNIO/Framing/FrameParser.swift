import BigRPC
public import NIOCore

/// Cuts frames off the front of a byte buffer, checking each header in the
/// order the protocol prescribes: `length` < 6 (INTERNAL), payload over the
/// maximum (RESOURCE_EXHAUSTED), then the frame type (INTERNAL).
///
/// An oversize frame is refused from its first four bytes: the parser never
/// waits for, buffers or allocates the announced size. Pure and synchronous,
/// so it can be tested and fuzzed without a channel.
public struct FrameParser: Sendable {
    public var maxPayloadSize: Int

    public init(maxPayloadSize: Int = Frame.defaultMaxPayloadSize) {
        self.maxPayloadSize = maxPayloadSize
    }

    /// The next whole frame, or nil when more bytes are needed. Consumes the
    /// frame's bytes only when it returns one. The payload is a slice of
    /// `buffer`, not a copy.
    public func parse(_ buffer: inout ByteBuffer) throws(ProtocolViolation) -> Frame? {
        guard let length = buffer.getInteger(at: buffer.readerIndex, as: UInt32.self) else { return nil }
        guard length >= Frame.lengthCoveredHeaderSize else {
            throw ProtocolViolation(.internal, "frame length \(length) is shorter than its header")
        }
        let payloadSize = Int(length) - Frame.lengthCoveredHeaderSize
        guard payloadSize <= maxPayloadSize else {
            throw ProtocolViolation(
                .resourceExhausted,
                "frame payload of \(payloadSize) bytes exceeds the maximum of \(maxPayloadSize)"
            )
        }
        guard let rawType = buffer.getInteger(at: buffer.readerIndex + 4, as: UInt8.self) else { return nil }
        guard let type = FrameType(rawValue: rawType) else {
            throw ProtocolViolation(.internal, "unknown frame type 0x\(String(rawType, radix: 16))")
        }
        guard buffer.readableBytes >= 4 + Int(length) else { return nil }

        buffer.moveReaderIndex(forwardBy: 5)
        let flags = FrameFlags(rawValue: buffer.readInteger(as: UInt8.self)!)
        let streamID = buffer.readInteger(as: UInt32.self)!
        let payload = buffer.readSlice(length: payloadSize)!
        return Frame(type: type, flags: flags, streamID: streamID, payload: payload)
    }

    /// Appends `frame`'s encoding to `buffer`.
    public static func write(_ frame: Frame, into buffer: inout ByteBuffer) {
        buffer.reserveCapacity(minimumWritableBytes: Frame.headerSize + frame.payload.readableBytes)
        buffer.writeInteger(UInt32(Frame.lengthCoveredHeaderSize + frame.payload.readableBytes))
        buffer.writeInteger(frame.type.rawValue)
        buffer.writeInteger(frame.flags.rawValue)
        buffer.writeInteger(frame.streamID)
        var payload = frame.payload
        buffer.writeBuffer(&payload)
    }
}
