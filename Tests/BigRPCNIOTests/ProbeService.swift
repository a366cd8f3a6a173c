import BigRPC
import BigRPCTestingProtos
import Synchronization

/// A service written for the transport tests: its handlers report what
/// happened to them (started, cancelled, finished), so tests can check that
/// deadlines and CANCEL really reach the handler.
final class ProbeService: RegistrableRPCService {
    enum Event: Equatable, Sendable {
        case started(String)
        case cancelled(String)
        case finished(String)
    }

    static let sleep = MethodDescriptor(service: "bigrpc.test.Probe", method: "Sleep", kind: .unary)
    static let fail = MethodDescriptor(service: "bigrpc.test.Probe", method: "Fail", kind: .unary)
    static let echo = MethodDescriptor(service: "bigrpc.test.Probe", method: "Echo", kind: .unary)
    static let stream = MethodDescriptor(service: "bigrpc.test.Probe", method: "Stream", kind: .serverStreaming)
    static let collect = MethodDescriptor(service: "bigrpc.test.Probe", method: "Collect", kind: .clientStreaming)
    static let chat = MethodDescriptor(service: "bigrpc.test.Probe", method: "Chat", kind: .bidirectionalStreaming)

    private let events = Mutex<[Event]>([])
    /// Messages a streaming handler has finished writing (handed to the transport).
    let written = Mutex(0)

    var recorded: [Event] { events.withLock { $0 } }

    /// Waits (bounded) until `event` has been recorded.
    func waitFor(_ event: Event, timeout: Duration = .seconds(10)) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if recorded.contains(event) { return true }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return false
    }

    private func record(_ event: Event) {
        events.withLock { $0.append(event) }
    }

    func registerMethods(with router: inout RPCRouter) {
        // Sleep: sleeps for `response_size` milliseconds, then answers.
        router.registerUnary(Self.sleep) { (request: Bigrpc_Testing_V1_SimpleRequest, context) in
            let tag = String(decoding: request.payload, as: UTF8.self)
            self.record(.started(tag))
            do {
                try await Task.sleep(for: .milliseconds(Int(request.responseSize)))
            } catch {
                self.record(.cancelled(tag))
                throw error
            }
            self.record(.finished(tag))
            return Bigrpc_Testing_V1_SimpleResponse(payload: request.payload)
        }
        // Fail: a handler that fails unexpectedly (not an RPCError).
        router.registerUnary(Self.fail) { (_: Bigrpc_Testing_V1_Empty, _) -> Bigrpc_Testing_V1_Empty in
            struct Unexpected: Error { let secret = "db password in here" }
            throw Unexpected()
        }
        // Echo: the payload back.
        router.registerUnary(Self.echo) { (request: Bigrpc_Testing_V1_SimpleRequest, _) in
            Bigrpc_Testing_V1_SimpleResponse(payload: request.payload)
        }
        // Stream: `response_size` messages of 64 KiB, as fast as the transport takes them.
        router.registerServerStreaming(Self.stream) { (request: Bigrpc_Testing_V1_SimpleRequest, writer: RPCWriter<Bigrpc_Testing_V1_SimpleResponse>, _) in
            let chunk = Bigrpc_Testing_V1_SimpleResponse(payload: [UInt8](repeating: 7, count: 64 * 1024))
            do {
                for _ in 0..<request.responseSize {
                    try await writer.write(chunk)
                    self.written.withLock { $0 += 1 }
                }
            } catch {
                self.record(.cancelled("stream"))
                throw error
            }
        }
        // Collect: counts the requests.
        router.registerClientStreaming(Self.collect) { (requests: RPCAsyncSequence<Bigrpc_Testing_V1_StreamingInputCallRequest>, _) in
            var total = 0
            for try await request in requests { total += request.payload.count }
            return Bigrpc_Testing_V1_StreamingInputCallResponse(aggregatedPayloadSize: Int32(total))
        }
        // Chat: echoes each request.
        router.registerBidirectionalStreaming(Self.chat) {
            (requests: RPCAsyncSequence<Bigrpc_Testing_V1_StreamingInputCallRequest>, writer: RPCWriter<Bigrpc_Testing_V1_StreamingInputCallRequest>, _) in
            for try await request in requests { try await writer.write(request) }
        }
    }
}
