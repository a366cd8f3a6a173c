public import NIOCore

/// The type byte of a frame.
public enum FrameType: UInt8, Hashable, Sendable {
    /// Client → server: opens a stream; payload `bigrpc.v1.RequestHeaders`.
    case headers = 0x01
    /// Both directions: one encoded message.
    case message = 0x02
    /// Server → client: ends a stream; payload `bigrpc.v1.Status`.
    case trailers = 0x03
    /// Client → server: cancels a stream; empty.
    case cancel = 0x04
    /// Both directions on stream 0: 8 opaque bytes, echoed with ACK.
    case ping = 0x05
    /// Server → client on stream 0: payload `bigrpc.v1.GoAway`.
    case goAway = 0x06
    /// Client → server: half-closes a stream after its messages; empty,
    /// flags END_STREAM (wire revision 1.1).
    case halfClose = 0x07
}

/// The flags byte of a frame. Bits a receiver does not know are ignored.
public struct FrameFlags: OptionSet, Hashable, Sendable {
    public let rawValue: UInt8

    public init(rawValue: UInt8) {
        self.rawValue = rawValue
    }

    /// On HEADERS, MESSAGE or HALF_CLOSE from a client: no more messages (half-close).
    public static let endStream = FrameFlags(rawValue: 0x01)
    /// On PING: this is the reply.
    public static let ack = FrameFlags(rawValue: 0x01)
}

/// One frame of the BigRPC wire protocol:
///
///     length: u32 (= 6 + payload size) | type: u8 | flags: u8 | stream_id: u32 | payload
///
/// All integers are big-endian.
public struct Frame: Hashable, Sendable {
    public var type: FrameType
    public var flags: FrameFlags
    public var streamID: UInt32
    public var payload: ByteBuffer

    public init(type: FrameType, flags: FrameFlags = [], streamID: UInt32, payload: ByteBuffer = ByteBuffer()) {
        self.type = type
        self.flags = flags
        self.streamID = streamID
        self.payload = payload
    }

    /// Bytes before the payload: length (4), type (1), flags (1), stream id (4).
    public static let headerSize = 10
    /// Bytes counted by `length` before the payload: type, flags, stream id.
    static let lengthCoveredHeaderSize = 6
    /// The default largest payload: 4 MiB.
    public static let defaultMaxPayloadSize = 4 * 1024 * 1024
    /// The largest payload `length` (a u32 that also counts 6 header bytes)
    /// can describe: writers refuse anything larger rather than trap.
    public static let largestEncodablePayload = Int(UInt32.max) - lengthCoveredHeaderSize
}
