import BigRPC
import BigRPCCodec
import BigRPCProtos
import NIOCore

/// The server's view of one connection, as a pure state machine: frames in,
/// actions out. It enforces every stream and connection rule of the
/// protocol; ``ServerConnectionHandler`` performs the actions.
package struct ServerConnectionStateMachine {
    package struct Configuration {
        package var maxConcurrentStreams = 256
        package var maxPayloadSize = Frame.defaultMaxPayloadSize
        /// Streams that may end unserved (cancelled by the client while
        /// open, or refused by the server) per ``churnWindow`` before the
        /// connection is closed with RESOURCE_EXHAUSTED: the answer to
        /// "rapid reset" (CVE-2023-44487), where each such stream costs the
        /// server work and the client nothing.
        package var maxStreamChurn = 200
        package var churnWindow: TimeAmount = .seconds(10)

        package init(
            maxConcurrentStreams: Int = 256,
            maxPayloadSize: Int = Frame.defaultMaxPayloadSize,
            maxStreamChurn: Int = 200,
            churnWindow: TimeAmount = .seconds(10)
        ) {
            self.maxConcurrentStreams = maxConcurrentStreams
            self.maxPayloadSize = maxPayloadSize
            self.maxStreamChurn = maxStreamChurn
            self.churnWindow = churnWindow
        }
    }

    /// The connection as a whole.
    package enum ConnectionState: Equatable {
        /// Accepting new streams.
        case active
        /// GOAWAY sent: streams up to `lastStreamID` finish, new ones are refused.
        case draining(lastStreamID: UInt32)
        /// Closed after a connection error or when draining completed.
        case closed
    }

    /// One open stream. Streams that ended (or were refused) are forgotten:
    /// because ids only grow, any id at or below the highest seen that is not
    /// open must be an ended one.
    package enum StreamState: Equatable {
        /// The client may still send messages.
        case open
        /// The client sent END_STREAM; the handler still runs.
        case halfClosed
    }

    /// A new stream for the dispatcher.
    package struct OpenedStream: Equatable {
        package var streamID: UInt32
        package var path: String
        package var metadata: Metadata
        package var timeout: Duration?
        package var endStream: Bool
    }

    /// What the handler must do with a received frame.
    package enum Action: Equatable {
        /// Start a call.
        case openStream(OpenedStream)
        /// Answer TRAILERS with this status; the stream never opens.
        case refuseStream(UInt32, Status)
        /// Give the handler one request message; with `endStream`, then end its requests.
        case deliverMessage(UInt32, ByteBuffer, endStream: Bool)
        /// End the handler's requests (HALF_CLOSE).
        case endRequests(UInt32)
        /// Answer TRAILERS with this status and cancel the handler.
        case failStream(UInt32, Status)
        /// Cancel the handler; send nothing more on the stream.
        case cancelStream(UInt32)
        /// Answer PING with PING+ACK carrying the same bytes.
        case replyToPing(ByteBuffer)
        /// Nothing to do (a late frame for an ended stream, a PING reply).
        case none
        /// Send GOAWAY with this error and close the connection.
        case connectionError(ProtocolViolation)
    }

    package private(set) var state: ConnectionState = .active
    package private(set) var highestStreamID: UInt32 = 0
    private(set) var streams: [UInt32: StreamState] = [:]
    private let configuration: Configuration
    /// Streams ended unserved in the current churn window, and when it began.
    private var churn = 0
    private var churnWindowStart: NIODeadline?

    package init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    package var openStreamCount: Int { streams.count }

    // MARK: Inbound

    package mutating func receive(_ frame: Frame) -> Action {
        guard state != .closed else { return .none }
        switch frame.type {
        case .headers: return receiveHeaders(frame)
        case .message: return receiveMessage(frame)
        case .cancel: return receiveCancel(frame)
        case .halfClose: return receiveHalfClose(frame)
        case .ping: return receivePing(frame)
        case .trailers, .goAway:
            return fail(.internal, "a client may not send \(frame.type == .trailers ? "TRAILERS" : "GOAWAY")")
        }
    }

    private mutating func receiveHeaders(_ frame: Frame) -> Action {
        let id = frame.streamID
        guard id != 0, id > highestStreamID else {
            return fail(.internal, "HEADERS on stream \(id), not above the highest opened (\(highestStreamID))")
        }
        let headers: Bigrpc_V1_RequestHeaders
        do {
            headers = try Bigrpc_V1_RequestHeaders(serializedBytes: frame.payload.readableBytesView)
        } catch {
            return fail(.internal, "HEADERS payload does not decode: \(error)")
        }
        highestStreamID = id
        if case .draining = state {
            return refuse(id, Status(code: .unavailable, message: "the server is shutting down"))
        }
        guard streams.count < configuration.maxConcurrentStreams else {
            return refuse(
                id,
                Status(
                    code: .resourceExhausted,
                    message: "too many concurrent streams (limit \(configuration.maxConcurrentStreams))"
                ))
        }
        let endStream = frame.flags.contains(.endStream)
        streams[id] = endStream ? .halfClosed : .open
        let timeout: Duration? = headers.timeoutMs == 0 ? nil : Self.timeout(milliseconds: headers.timeoutMs)
        return .openStream(
            OpenedStream(
                streamID: id,
                path: headers.method,
                metadata: Metadata(headers.metadata),
                timeout: timeout,
                endStream: endStream
            ))
    }

    /// A wire `timeout_ms` as the call's timeout: any value, up to
    /// `UInt64.max`, is accepted and capped at `Duration.maxTimeout` (30
    /// days), so that no timer or deadline computed from it can overflow.
    package static func timeout(milliseconds: UInt64) -> Duration {
        min(Duration(saturatingMilliseconds: milliseconds), .maxTimeout)
    }

    private mutating func receiveMessage(_ frame: Frame) -> Action {
        let id = frame.streamID
        guard id != 0, id <= highestStreamID else {
            return fail(.internal, "MESSAGE on stream \(id), which was never opened")
        }
        switch streams[id] {
        case .open?:
            let endStream = frame.flags.contains(.endStream)
            if endStream { streams[id] = .halfClosed }
            return .deliverMessage(id, frame.payload, endStream: endStream)
        case .halfClosed?:
            streams[id] = nil
            return .failStream(id, Status(code: .internal, message: "MESSAGE after END_STREAM"))
        case nil:
            return .none
        }
    }

    /// HALF_CLOSE (revision 1.1): ends the requests of a stream whose last
    /// MESSAGE went without END_STREAM. Stream ids as for MESSAGE.
    private mutating func receiveHalfClose(_ frame: Frame) -> Action {
        let id = frame.streamID
        guard frame.flags.contains(.endStream), frame.payload.readableBytes == 0 else {
            return fail(.internal, "HALF_CLOSE must be empty and carry END_STREAM")
        }
        guard id != 0, id <= highestStreamID else {
            return fail(.internal, "HALF_CLOSE on stream \(id), which was never opened")
        }
        switch streams[id] {
        case .open?:
            streams[id] = .halfClosed
            return .endRequests(id)
        case .halfClosed?:
            streams[id] = nil
            return .failStream(id, Status(code: .internal, message: "HALF_CLOSE after END_STREAM"))
        case nil:
            return .none
        }
    }

    /// A frame the decoder did not buffer (``DroppedFrame``: the server was
    /// over its request byte budget). A MESSAGE fails its stream and a
    /// HEADERS refuses its stream, both with the frame's status, under the
    /// same stream-id rules as if they had arrived; any other frame that
    /// large is a connection error.
    package mutating func receiveDropped(_ frame: DroppedFrame) -> Action {
        guard state != .closed else { return .none }
        let id = frame.streamID
        switch frame.type {
        case .message:
            guard id != 0, id <= highestStreamID else {
                return fail(.internal, "MESSAGE on stream \(id), which was never opened")
            }
            guard streams.removeValue(forKey: id) != nil else { return .none }
            return .failStream(id, frame.status)
        case .headers:
            guard id != 0, id > highestStreamID else {
                return fail(.internal, "HEADERS on stream \(id), not above the highest opened (\(highestStreamID))")
            }
            highestStreamID = id
            return refuse(id, frame.status)
        case .trailers, .cancel, .ping, .goAway, .halfClose:
            return fail(frame.status.code, frame.status.message)
        }
    }

    private mutating func receiveCancel(_ frame: Frame) -> Action {
        let id = frame.streamID
        guard id != 0, id <= highestStreamID else {
            return fail(.internal, "CANCEL on stream \(id), which was never opened")
        }
        guard streams.removeValue(forKey: id) != nil else { return .none }
        if let overBudget = countChurn() { return overBudget }
        return .cancelStream(id)
    }

    /// Refuses a stream the server will not serve (a cap outside this
    /// connection, say), after ``receive(_:)`` opened it: forgets it and
    /// counts it towards the churn budget.
    package mutating func refuseOpened(_ id: UInt32, _ status: Status) -> Action {
        streams[id] = nil
        return refuse(id, status)
    }

    private mutating func refuse(_ id: UInt32, _ status: Status) -> Action {
        countChurn() ?? .refuseStream(id, status)
    }

    /// Counts a stream that ended unserved; past the budget of its window,
    /// the connection error that ends the connection.
    private mutating func countChurn() -> Action? {
        let now = NIODeadline.now()
        if let start = churnWindowStart, now - start < configuration.churnWindow {
            churn += 1
        } else {
            churnWindowStart = now
            churn = 1
        }
        guard churn > configuration.maxStreamChurn else { return nil }
        return fail(
            .resourceExhausted,
            "too many streams cancelled or refused (limit \(configuration.maxStreamChurn) per \(configuration.churnWindow.roundedDescription))")
    }

    private mutating func receivePing(_ frame: Frame) -> Action {
        guard frame.streamID == 0 else {
            return fail(.internal, "PING on stream \(frame.streamID), not 0")
        }
        guard frame.payload.readableBytes == 8 else {
            return fail(.internal, "PING payload of \(frame.payload.readableBytes) bytes, not 8")
        }
        return frame.flags.contains(.ack) ? .none : .replyToPing(frame.payload)
    }

    private mutating func fail(_ code: StatusCode, _ message: String) -> Action {
        state = .closed
        return .connectionError(ProtocolViolation(code, message))
    }

    // MARK: Outbound and lifecycle

    /// Whether a response frame for `streamID` may still be sent.
    package func isOpen(_ streamID: UInt32) -> Bool {
        streams[streamID] != nil
    }

    /// The server sent TRAILERS, or gave up on the stream: forget it. Returns
    /// true when the connection should now close (draining, nothing left).
    package mutating func streamEnded(_ streamID: UInt32) -> Bool {
        streams[streamID] = nil
        return isDrained
    }

    /// Starts a graceful shutdown: returns the `last_stream_id` to announce in
    /// GOAWAY, or nil if already draining or closed.
    package mutating func beginDraining() -> UInt32? {
        guard state == .active else { return nil }
        state = .draining(lastStreamID: highestStreamID)
        return highestStreamID
    }

    /// Draining with no stream left: the connection can close.
    package var isDrained: Bool {
        if case .draining = state { return streams.isEmpty }
        return false
    }

    /// A connection error of our own (e.g. a read timeout) closes everything.
    package mutating func close() {
        state = .closed
        streams.removeAll()
    }
}
