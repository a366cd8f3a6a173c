import BigRPC
import BigRPCCodec
import BigRPCProtos
import NIOCore
import NIOPosix

@testable import BigRPCNIO

/// A hand-driven TCP connection speaking raw frames, to test how the server
/// answers a misbehaving or unusual client.
final class RawConnection: Sendable {
    private let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>
    private let inbound: AsyncFrameReader

    /// Connects to the server at 127.0.0.1:`port`, from `localHost` (another
    /// loopback address plays another client) or from where the system chooses.
    init(port: Int, localHost: String? = nil) async throws {
        var bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        if let localHost {
            bootstrap = bootstrap.bind(to: try SocketAddress(ipAddress: localHost, port: 0))
        }
        channel =
            try await bootstrap
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        inbound = AsyncFrameReader(channel.inbound)
    }

    /// Sends raw bytes.
    func send(_ bytes: [UInt8]) async throws {
        try await channel.outbound.write(ByteBuffer(bytes: bytes))
    }

    /// Sends frames.
    func send(_ frames: Frame...) async throws {
        try await send(frames)
    }

    /// Sends frames in one write.
    func send(_ frames: [Frame]) async throws {
        var buffer = ByteBuffer()
        for frame in frames { FrameParser.write(frame, into: &buffer) }
        try await channel.outbound.write(buffer)
    }

    /// Sends HEADERS opening `streamID` for `path`.
    func open(_ streamID: UInt32, _ path: String, metadata: [String: String] = [:], timeoutMs: UInt64 = 0, endStream: Bool = false) async throws {
        let payload = try Bigrpc_V1_RequestHeaders(method: path, metadata: metadata, timeoutMs: timeoutMs).serializedBytes()
        try await send(Frame(type: .headers, flags: endStream ? .endStream : [], streamID: streamID, payload: ByteBuffer(bytes: payload)))
    }

    /// Opens `streamID` for `path` and sends its one message with END_STREAM,
    /// in a single write (as a real client sends a unary call).
    func sendUnary<M: ProtoMessage>(_ streamID: UInt32, _ path: String, _ message: M) async throws {
        let headers = try Bigrpc_V1_RequestHeaders(method: path).serializedBytes()
        try await send(
            Frame(type: .headers, streamID: streamID, payload: ByteBuffer(bytes: headers)),
            Frame(type: .message, flags: .endStream, streamID: streamID, payload: ByteBuffer(bytes: message.serializedBytes()))
        )
    }

    /// Sends one message on `streamID`.
    func sendMessage<M: ProtoMessage>(_ streamID: UInt32, _ message: M, endStream: Bool = true) async throws {
        try await send(Frame(type: .message, flags: endStream ? .endStream : [], streamID: streamID, payload: ByteBuffer(bytes: message.serializedBytes())))
    }

    /// Sends one message of `bytes` raw bytes on `streamID`.
    func sendMessage(_ streamID: UInt32, bytes: [UInt8], endStream: Bool) async throws {
        try await send(Frame(type: .message, flags: endStream ? .endStream : [], streamID: streamID, payload: ByteBuffer(bytes: bytes)))
    }

    /// The next frame from the server, or nil once the server closed the connection.
    func nextFrame(timeout: Duration = .seconds(10)) async throws -> Frame? {
        try await inbound.next(timeout: timeout)
    }

    /// Reads frames until TRAILERS on `streamID`, returning the status and the
    /// messages received on that stream before it. Frames of other streams
    /// read meanwhile are kept for later calls.
    func status(of streamID: UInt32) async throws -> (Status, Metadata, messages: Int) {
        var messages = 0
        while let frame = try await inbound.next(of: streamID) {
            if frame.type == .message { messages += 1 }
            if frame.type == .trailers {
                let status = try Bigrpc_V1_Status(serializedBytes: frame.payload.readableBytesView)
                return (Status(code: StatusCode(rawValue: status.code), message: status.message), Metadata(status.metadata), messages)
            }
        }
        throw RawConnectionError.closedBeforeTrailers
    }

    /// Reads until the server closes, returning the GOAWAY it sent (if any).
    func goAwayThenClose() async throws -> Bigrpc_V1_GoAway? {
        var goAway: Bigrpc_V1_GoAway?
        while let frame = try await nextFrame() {
            if frame.type == .goAway {
                goAway = try Bigrpc_V1_GoAway(serializedBytes: frame.payload.readableBytesView)
            }
        }
        return goAway
    }

    func close() async {
        channel.outbound.finish()
        try? await channel.channel.close()
    }

    deinit {
        // NIOAsyncChannel requires its writer to be finished before it goes.
        channel.outbound.finish()
    }
}

enum RawConnectionError: Error {
    case closedBeforeTrailers
    case timedOut
}

/// Parses frames out of the inbound byte stream of a `NIOAsyncChannel`.
private final class AsyncFrameReader: @unchecked Sendable {
    // @unchecked Sendable: used by one test task at a time, never concurrently.
    private var iterator: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
    private var buffer = ByteBuffer()
    private let parser = FrameParser(maxPayloadSize: 16 * 1024 * 1024)
    /// Frames read while looking for another stream's.
    private var stashed: [Frame] = []

    /// The next frame of `streamID` (stashed ones first), keeping the frames
    /// of other streams for later; nil once the server closed the connection.
    func next(of streamID: UInt32, timeout: Duration = .seconds(10)) async throws -> Frame? {
        if let index = stashed.firstIndex(where: { $0.streamID == streamID }) {
            return stashed.remove(at: index)
        }
        while let frame = try await read(timeout: timeout) {
            if frame.streamID == streamID { return frame }
            stashed.append(frame)
        }
        return nil
    }

    /// The next frame: the oldest stashed one, else the next from the network.
    func next(timeout: Duration) async throws -> Frame? {
        if !stashed.isEmpty { return stashed.removeFirst() }
        return try await read(timeout: timeout)
    }

    init(_ inbound: NIOAsyncChannelInboundStream<ByteBuffer>) {
        iterator = inbound.makeAsyncIterator()
    }

    private func read(timeout: Duration) async throws -> Frame? {
        let deadline = ContinuousClock.now + timeout
        while true {
            if let frame = try parser.parse(&buffer) { return frame }
            guard ContinuousClock.now < deadline else { throw RawConnectionError.timedOut }
            let chunk = try await withThrowingTaskGroup(of: ByteBuffer?.self) { group in
                // One reader at a time: the iterator is only used inside this group's first task.
                let reader = UncheckedBox(self)
                group.addTask { try await reader.value.iterator.next() }
                group.addTask {
                    try await Task.sleep(until: deadline, clock: .continuous)
                    throw RawConnectionError.timedOut
                }
                defer { group.cancelAll() }
                return try await group.next()!
            }
            guard var chunk else { return nil }
            buffer.writeBuffer(&chunk)
        }
    }
}

/// Moves a value into a child task that is the value's only user.
private struct UncheckedBox<T>: @unchecked Sendable {
    // @unchecked Sendable: each use hands the value to exactly one task.
    let value: T
    init(_ value: T) { self.value = value }
}
