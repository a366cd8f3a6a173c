import BigRPC
import NIOCore

/// What ``ServerConnectionHandler`` tells ``ServerStreamDispatcher`` about streams.
enum ServerStreamEvent {
    /// A call begins.
    case open(ServerConnectionStateMachine.OpenedStream)
    /// A request message; with `endStream`, the last one.
    case message(UInt32, ByteBuffer, endStream: Bool)
    /// The client sends no more messages (HALF_CLOSE).
    case endRequests(UInt32)
    /// The stream is over for the handler: the client cancelled it, or the
    /// connection handler already ended it with an error status.
    case cancel(UInt32)
}

/// What ``ServerStreamDispatcher`` asks ``ServerConnectionHandler`` to send.
enum ServerStreamOutbound {
    /// One encoded response message.
    case message(UInt32, [UInt8])
    /// The call's status, ending the stream.
    case trailers(UInt32, Status, Metadata)
}

/// Asks a connection to drain: GOAWAY, finish the open streams, close.
struct ServerDrainEvent: Sendable {}
