import BigRPC
import BigRPCProtos
import NIOCore

/// The client's view of one connection, as a pure state machine: calls and
/// frames in, what to write and whom to tell out. It assigns wire stream ids
/// and enforces the protocol rules a client keeps; ``ClientConnectionHandler``
/// performs the actions.
///
/// A call is known by a local handle from the start, and gets its wire stream
/// id only when its HEADERS leave: HEADERS are sent lazily (with the first
/// message, so a unary call is one write), and the protocol requires the ids
/// of HEADERS on a connection to increase in the order they are sent.
package struct ClientConnectionStateMachine {
    /// The connection as a whole.
    package enum ConnectionState: Equatable {
        /// Taking new calls.
        case active
        /// GOAWAY received, or stream ids exhausted: the calls left finish,
        /// new ones go to another connection.
        case draining
        /// Closed, or broken by the server.
        case closed
    }

    /// One call. Calls that ended are forgotten.
    package enum StreamState: Equatable {
        /// HEADERS not sent yet (encoded `RequestHeaders`): they leave with
        /// the first message, the half-close, or when the caller starts reading.
        case idle(headers: ByteBuffer)
        /// HEADERS sent; the client may still send messages.
        case open(streamID: UInt32)
        /// The client half-closed.
        case halfClosed(streamID: UInt32)

        var streamID: UInt32? {
            switch self {
            case .idle: nil
            case .open(let id), .halfClosed(let id): id
            }
        }
    }

    /// Why a new call cannot use this connection; the transport then opens another.
    package enum Unusable: Error, Equatable {
        case closed
        case draining
        case streamIDsExhausted
    }

    /// Where a request message goes.
    package struct Outbound: Equatable {
        package var streamID: UInt32
        /// The call's HEADERS, to be written first; nil once sent.
        package var headers: ByteBuffer?
    }

    /// How to half-close a call.
    package enum HalfClose: Equatable {
        /// The call ended or is half-closed already: nothing.
        case none
        /// HEADERS with END_STREAM: the call sent nothing yet.
        case headers(streamID: UInt32, ByteBuffer)
        /// A HALF_CLOSE frame, after messages sent without END_STREAM.
        case halfCloseFrame(streamID: UInt32)
        /// The peer takes no HALF_CLOSE and a message went without END_STREAM.
        case unsupported
    }

    /// What follows a call the client ended.
    package struct Ended: Equatable {
        /// The call's wire id when the server knows it: send CANCEL.
        package var cancelStreamID: UInt32?
        /// The connection is draining and has no call left: close it.
        package var closesConnection: Bool
    }

    /// What the handler must do with a received frame.
    package enum Action: Equatable {
        /// Hand a response message to the call.
        case deliverMessage(handle: UInt64, ByteBuffer)
        /// End the call with the server's status.
        case deliverStatus(handle: UInt64, Status, Metadata, closesConnection: Bool)
        /// End the call with INTERNAL: its TRAILERS do not decode.
        case failStream(handle: UInt64, message: String, closesConnection: Bool)
        /// Answer PING with PING+ACK carrying the same bytes.
        case replyToPing(ByteBuffer)
        /// The server is going away: fail the calls it never saw (safe to
        /// retry), with its code and message when it gave a reason.
        case goAway(notProcessed: [UInt64], code: StatusCode, message: String, closesConnection: Bool)
        /// Close the connection: the server broke the protocol.
        case connectionError(ProtocolViolation)
        /// Nothing to do (a frame for a call that ended, a PING reply).
        case none
    }

    package private(set) var state: ConnectionState = .active
    /// Calls by local handle.
    package private(set) var streams: [UInt64: StreamState] = [:]
    /// Local handles by wire stream id, for routing what the server sends.
    private var handles: [UInt32: UInt64] = [:]
    /// The handle the next call gets.
    package private(set) var nextHandle: UInt64 = 1
    private var nextStreamID: UInt32
    /// Whether the peer accepts HALF_CLOSE (wire revision 1.1).
    private let sendsHalfClose: Bool

    package init(sendsHalfClose: Bool = true, firstStreamID: UInt32 = 1) {
        self.sendsHalfClose = sendsHalfClose
        self.nextStreamID = firstStreamID
    }

    /// Whether new calls may use this connection.
    package var isUsable: Bool { state == .active }

    // MARK: Calls

    /// Registers a new call whose HEADERS are `headers`; returns its local handle.
    package mutating func openStream(headers: ByteBuffer) throws(Unusable) -> UInt64 {
        switch state {
        case .closed: throw .closed
        case .draining: throw .draining
        case .active: break
        }
        // Ids for every call registered but not yet sent must remain.
        guard nextStreamID < UInt32.max - UInt32(streams.count) else {
            state = .draining
            throw .streamIDsExhausted
        }
        let handle = nextHandle
        nextHandle += 1
        streams[handle] = .idle(headers: headers)
        return handle
    }

    /// A request message for `handle`; nil when the call ended or is
    /// half-closed (the caller learns the outcome from the responses).
    package mutating func send(_ handle: UInt64, endStream: Bool) -> Outbound? {
        switch streams[handle] {
        case nil, .halfClosed?:
            return nil
        case .idle(let headers)?:
            let id = assignStreamID(handle)
            streams[handle] = endStream ? .halfClosed(streamID: id) : .open(streamID: id)
            return Outbound(streamID: id, headers: headers)
        case .open(let id)?:
            if endStream { streams[handle] = .halfClosed(streamID: id) }
            return Outbound(streamID: id, headers: nil)
        }
    }

    /// The client sends no more messages on `handle`.
    package mutating func halfClose(_ handle: UInt64) -> HalfClose {
        switch streams[handle] {
        case nil, .halfClosed?:
            return .none
        case .idle(let headers)?:
            let id = assignStreamID(handle)
            streams[handle] = .halfClosed(streamID: id)
            return .headers(streamID: id, headers)
        case .open(let id)?:
            guard sendsHalfClose else { return .unsupported }
            streams[handle] = .halfClosed(streamID: id)
            return .halfCloseFrame(streamID: id)
        }
    }

    /// The caller reads before writing: the HEADERS go now. Returns their
    /// stream id and payload, or nil when sent already (or the call ended).
    package mutating func sendHeadersIfIdle(_ handle: UInt64) -> Outbound? {
        guard case .idle(let headers)? = streams[handle] else { return nil }
        let id = assignStreamID(handle)
        streams[handle] = .open(streamID: id)
        return Outbound(streamID: id, headers: headers)
    }

    /// The client ended a call (cancelled, deadline passed); nil if it had ended.
    package mutating func end(_ handle: UInt64) -> Ended? {
        guard let stream = streams.removeValue(forKey: handle) else { return nil }
        // A call whose HEADERS never left needs no CANCEL: the server never saw it.
        if let id = stream.streamID { handles[id] = nil }
        return Ended(cancelStreamID: stream.streamID, closesConnection: isDrained)
    }

    /// The connection closed: every call still known, now forgotten.
    package mutating func close() -> [UInt64] {
        state = .closed
        let open = Array(streams.keys)
        streams.removeAll()
        handles.removeAll()
        return open
    }

    private mutating func assignStreamID(_ handle: UInt64) -> UInt32 {
        let id = nextStreamID
        nextStreamID += 1
        handles[id] = handle
        return id
    }

    private var isDrained: Bool { state == .draining && streams.isEmpty }

    // MARK: Inbound

    package mutating func receive(_ frame: Frame) -> Action {
        guard state != .closed else { return .none }
        switch frame.type {
        case .message:
            guard let handle = handles[frame.streamID], streams[handle] != nil else { return .none }
            return .deliverMessage(handle: handle, frame.payload)
        case .trailers:
            guard let handle = handles.removeValue(forKey: frame.streamID),
                streams.removeValue(forKey: handle) != nil
            else { return .none }
            do {
                let status = try Bigrpc_V1_Status(serializedBytes: frame.payload.readableBytesView)
                return .deliverStatus(
                    handle: handle,
                    Status(code: StatusCode(rawValue: status.code), message: status.message),
                    Metadata(status.metadata),
                    closesConnection: isDrained
                )
            } catch {
                return .failStream(handle: handle, message: "TRAILERS payload does not decode: \(error)", closesConnection: isDrained)
            }
        case .ping:
            guard frame.streamID == 0, frame.payload.readableBytes == 8 else {
                return fail("malformed PING from the server")
            }
            return frame.flags.contains(.ack) ? .none : .replyToPing(frame.payload)
        case .goAway:
            return receiveGoAway(frame)
        case .headers, .cancel, .halfClose:
            return fail("a server may not send \(frame.type)")
        }
    }

    private mutating func receiveGoAway(_ frame: Frame) -> Action {
        guard let goAway = try? Bigrpc_V1_GoAway(serializedBytes: frame.payload.readableBytesView) else {
            return fail("GOAWAY payload does not decode")
        }
        state = .draining
        // Calls the server never saw were not processed: safe to retry. That
        // is every call whose HEADERS left with a wire id above the last one
        // the server accepted, and every call whose HEADERS never left. (The
        // local handle says nothing: HEADERS leave lazily, in another order.)
        var notProcessed: [UInt64] = []
        for (handle, stream) in streams where stream.streamID.map({ $0 > goAway.lastStreamId }) ?? true {
            streams[handle] = nil
            if let id = stream.streamID { handles[id] = nil }
            notProcessed.append(handle)
        }
        return .goAway(
            notProcessed: notProcessed.sorted(),
            code: StatusCode(rawValue: goAway.code),
            message: goAway.message,
            closesConnection: isDrained
        )
    }

    private mutating func fail(_ message: String) -> Action {
        state = .closed
        return .connectionError(ProtocolViolation(.internal, message))
    }
}
