import BigRPC
import Logging
import NIOCore
import NIOEmbedded
import Synchronization
import Testing

@testable import BigRPCNIO

#if canImport(Glibc)
    import Glibc
#endif

/// The pieces behind the transport budgets, one by one: byte counters,
/// dropped frames, connection addresses, the descriptor cap and the log
/// throttle. `HostileTransportTests` shows them at work on real sockets.
@Suite struct TransportBudgetTests {
    // MARK: Request bytes

    @Test func theProcessBudgetReservesOnlyWhatFits() {
        let budget = RequestByteBudget(limit: 100)
        #expect(budget.reserve(60))
        #expect(!budget.reserve(41))
        #expect(budget.reserve(40))
        #expect(!budget.reserve(1))
        budget.release(60)
        #expect(budget.heldBytes == 40)
        #expect(budget.reserve(60))
        #expect(!budget.reserve(Int.max))
    }

    @Test func aConnectionPausesPastItsLimitAndResumesAtHalf() {
        let resumed = Mutex(0)
        let process = RequestByteBudget(limit: 1000)
        let connection = ConnectionRequestBytes(limit: 100, process: process) { resumed.withLock { $0 += 1 } }
        #expect(connection.reserve(80))
        #expect(!connection.isPaused)
        #expect(connection.reserve(40))
        #expect(connection.isPaused)
        connection.release(40)
        #expect(connection.isPaused, "80 is still above half the limit")
        connection.release(30)
        #expect(!connection.isPaused)
        #expect(resumed.withLock { $0 } == 1)
        connection.release(50)
        #expect(resumed.withLock { $0 } == 1, "resumes once per pause")
        #expect(process.heldBytes == 0)
    }

    @Test func aConnectionOverTheProcessBudgetCountsNothing() {
        let process = RequestByteBudget(limit: 50)
        let connection = ConnectionRequestBytes(limit: 1000, process: process) {}
        #expect(!connection.reserve(51))
        #expect(connection.heldBytes == 0)
        #expect(process.heldBytes == 0)
    }

    @Test func streamBytesAreReleasedOnceWhicheverSideComesFirst() {
        let process = RequestByteBudget(limit: 1000)
        let connection = ConnectionRequestBytes(limit: 1000, process: process) {}
        let stream = StreamRequestBytes(connection: connection)
        #expect(stream.reserve(30))
        #expect(stream.reserve(20))
        stream.release(30)  // the handler took the first message
        #expect(process.heldBytes == 20)
        stream.releaseAll()  // the stream ended with the second one queued
        #expect(process.heldBytes == 0)
        stream.release(20)  // the handler takes it anyway: nothing more
        #expect(process.heldBytes == 0)
        #expect(connection.heldBytes == 0)
    }

    // MARK: Dropped frames

    @Test func aLargeFrameOverTheBudgetIsDroppedNotBuffered() throws {
        let budget = RequestByteBudget(limit: 64 * 1024)
        let recorder = InboundRecorder()
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(
            ByteToMessageHandler(
                FrameDecoder(maxPayloadSize: 1024 * 1024, readTimeout: nil, budget: budget)
            ))
        try channel.pipeline.syncOperations.addHandler(recorder)

        // The header and a little of a 100 KiB MESSAGE on stream 3.
        var start = ByteBuffer()
        start.writeInteger(UInt32(6 + 100 * 1024))
        start.writeBytes([FrameType.message.rawValue, FrameFlags.endStream.rawValue])
        start.writeInteger(UInt32(3))
        start.writeBytes([UInt8](repeating: 1, count: 1000))
        try channel.writeInbound(start)
        #expect(recorder.dropped.count == 1)
        #expect(recorder.dropped.first?.streamID == 3)
        #expect(recorder.dropped.first?.type == .message)
        #expect(recorder.dropped.first?.status.code == .resourceExhausted)
        #expect(budget.heldBytes == 0)
        // The rest is skipped; the next frame decodes as usual.
        var rest = ByteBuffer(bytes: [UInt8](repeating: 1, count: 100 * 1024 - 1000))
        FrameParser.write(Frame(type: .ping, streamID: 0, payload: ByteBuffer(bytes: [1, 2, 3, 4, 5, 6, 7, 8])), into: &rest)
        try channel.writeInbound(rest)
        #expect(recorder.frames.map(\.type) == [.ping])
        _ = try channel.finish()
    }

    @Test func aLargeFrameWithinTheBudgetIsCountedWhileItArrives() throws {
        let budget = RequestByteBudget(limit: 1024 * 1024)
        let recorder = InboundRecorder()
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(
            ByteToMessageHandler(
                FrameDecoder(maxPayloadSize: 1024 * 1024, readTimeout: nil, budget: budget)
            ))
        try channel.pipeline.syncOperations.addHandler(recorder)
        var frame = ByteBuffer()
        FrameParser.write(Frame(type: .message, streamID: 1, payload: ByteBuffer(bytes: [UInt8](repeating: 2, count: 100 * 1024))), into: &frame)
        let head = frame.readSlice(length: 50 * 1024)!
        try channel.writeInbound(head)
        #expect(budget.heldBytes == 100 * 1024)
        try channel.writeInbound(frame)
        #expect(budget.heldBytes == 0)
        #expect(recorder.frames.count == 1)
        #expect(recorder.dropped.isEmpty)
        _ = try channel.finish()
    }

    @Test func theStateMachineFailsTheStreamOfADroppedFrame() {
        var machine = ServerConnectionStateMachine()
        let busy = Status(code: .resourceExhausted, message: "server busy")
        let headers = Frame(type: .headers, streamID: 1, payload: ByteBuffer(bytes: [0x0A, 0x04, 0x2F, 0x61, 0x2F, 0x62]))
        guard case .openStream = machine.receive(headers) else {
            Issue.record("expected the stream to open")
            return
        }
        let message = DroppedFrame(type: .message, flags: [], streamID: 1, payloadSize: 1 << 20, status: busy)
        #expect(machine.receiveDropped(message) == .failStream(1, busy))
        #expect(machine.openStreamCount == 0)
        #expect(machine.receiveDropped(message) == .none, "the stream already ended")
        let bigHeaders = DroppedFrame(type: .headers, flags: [], streamID: 3, payloadSize: 1 << 20, status: busy)
        #expect(machine.receiveDropped(bigHeaders) == .refuseStream(3, busy))
        #expect(machine.highestStreamID == 3)
        let unopened = DroppedFrame(type: .message, flags: [], streamID: 9, payloadSize: 1 << 20, status: busy)
        guard case .connectionError = machine.receiveDropped(unopened) else {
            Issue.record("a MESSAGE above the highest stream is a connection error, dropped or not")
            return
        }
    }

    // MARK: Connections

    @Test func addressesCountPerIPv4AddressAndPerIPv6Slash64() throws {
        let a = ConnectionAddress(try SocketAddress(ipAddress: "203.0.113.7", port: 1000))
        let b = ConnectionAddress(try SocketAddress(ipAddress: "203.0.113.7", port: 2000))
        let c = ConnectionAddress(try SocketAddress(ipAddress: "203.0.113.8", port: 1000))
        #expect(a != nil && a == b && a != c)
        let v6a = ConnectionAddress(try SocketAddress(ipAddress: "2001:db8:1:2::1", port: 1))
        let v6b = ConnectionAddress(try SocketAddress(ipAddress: "2001:db8:1:2:ffff::9", port: 2))
        let v6c = ConnectionAddress(try SocketAddress(ipAddress: "2001:db8:1:3::1", port: 1))
        #expect(v6a == v6b && v6a != v6c)
        let mapped = ConnectionAddress(try SocketAddress(ipAddress: "::ffff:203.0.113.7", port: 3))
        #expect(mapped == a)
        #expect(ConnectionAddress(nil) == nil)
    }

    @Test func theConnectionCapLeavesDescriptorsInReserve() {
        #expect(DescriptorLimit.connectionCap(configured: 10_000, descriptorLimit: 1024) == 768)
        #expect(DescriptorLimit.connectionCap(configured: 10_000, descriptorLimit: 1 << 20) == 10_000)
        #expect(DescriptorLimit.connectionCap(configured: 10_000, descriptorLimit: 20_000) == 10_000)
        #expect(DescriptorLimit.connectionCap(configured: 500, descriptorLimit: 1024) == 500)
        #expect(DescriptorLimit.connectionCap(configured: 10_000, descriptorLimit: 100) == 36)
        #expect(DescriptorLimit.connectionCap(configured: 10_000, descriptorLimit: 10) == 1)
        #expect(DescriptorLimit.connectionCap(configured: 10_000, descriptorLimit: nil) == 10_000)
        #expect(DescriptorLimit.current().map { $0 > 0 } ?? true)
    }

    // MARK: Logging

    @Test func aBurstIsLoggedOnceThenSummedUpAtTheEndOfTheInterval() {
        var throttle = LogThrottle(interval: .seconds(10))
        let start = NIODeadline.uptimeNanoseconds(1_000_000_000)
        #expect(throttle.record(at: start) == .log(count: 1))
        #expect(throttle.record(at: start + .seconds(1)) == .flushLater(at: start + .seconds(10)))
        for second in 2..<9 {
            #expect(throttle.record(at: start + .seconds(Int64(second))) == .quiet)
        }
        #expect(throttle.flush(at: start + .seconds(10)) == 8)
        #expect(throttle.flush(at: start + .seconds(11)) == nil)
        // Quiet for a whole interval: the next one is logged at once.
        #expect(throttle.record(at: start + .seconds(25)) == .log(count: 1))
    }

    @Test func acceptErrorsAreLoggedOncePerInterval() throws {
        let lines = LogLines()
        let logger = Logger(label: "test") { _ in lines }
        let channel = EmbeddedChannel(handler: AcceptErrorLogger(logger: logger, interval: .seconds(10)))
        for _ in 0..<100 {
            channel.pipeline.fireErrorCaught(IOError(errnoCode: EMFILE, reason: "accept"))
        }
        #expect(lines.messages.count == 1)
        #expect(lines.messages.first?.contains("failures=1") == true)
        channel.embeddedEventLoop.advanceTime(by: .seconds(10))
        #expect(lines.messages.count == 2)
        #expect(lines.messages.last?.contains("failures=99") == true)
        #expect(lines.messages.last?.contains("Too many open files") == true)
        _ = try channel.finish()
    }
}

/// Records what reaches the end of a test pipeline.
private final class InboundRecorder: ChannelInboundHandler {
    typealias InboundIn = Frame
    var frames: [Frame] = []
    var dropped: [DroppedFrame] = []

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        frames.append(unwrapInboundIn(data))
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let frame = event as? DroppedFrame { dropped.append(frame) }
    }
}

/// A log handler keeping each line as "message key=value…".
private final class LogLines: LogHandler, @unchecked Sendable {
    // @unchecked Sendable: written under `lock` only.
    private let lock = Mutex<[String]>([])
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    var messages: [String] { lock.withLock { $0 } }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let fields = (event.metadata ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        lock.withLock { $0.append(([event.message.description] + fields).joined(separator: " ")) }
    }
}
