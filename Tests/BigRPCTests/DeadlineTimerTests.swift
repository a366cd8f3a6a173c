import BigRPC
import BigRPCTestingProtos
import Synchronization
import Testing

/// `RPCServer` enforces a call's deadline with the transport's
/// `DeadlineTimer` when the call carries one.
@Suite(.timeLimit(.minutes(1)))
struct DeadlineTimerTests {
    typealias Request = Bigrpc_Testing_V1_SimpleRequest

    /// A timer that fires only when the test says so, and records what the
    /// server asked of it.
    final class ManualTimer: DeadlineTimer {
        private struct State {
            var delays: [Duration] = []
            var action: (@Sendable () -> Void)?
            var cancelled = 0
        }
        private let state = Mutex(State())

        func schedule(after delay: Duration, _ action: @escaping @Sendable () -> Void) -> @Sendable () -> Void {
            state.withLock { state in
                state.delays.append(delay)
                state.action = action
            }
            return { self.state.withLock { $0.cancelled += 1 } }
        }

        var delays: [Duration] { state.withLock { $0.delays } }
        var cancelled: Int { state.withLock { $0.cancelled } }

        /// Runs the scheduled action as if the deadline had passed.
        func fire() {
            let action = state.withLock { $0.action }
            action?()
        }
    }

    private let service = RPCServerTests.Service()

    private func call(_ method: MethodDescriptor, timer: ManualTimer, sink: RecordingSink) throws -> ServerCall {
        let requests = RPCMessageQueue<[UInt8]>()
        requests.yield(try Request().bytes)
        requests.finish()
        return ServerCall(
            path: method.path, metadata: [:], timeout: .seconds(30), peer: "test-peer",
            requests: RPCAsyncSequence { try await requests.next() }, responses: sink,
            deadlineTimer: timer
        )
    }

    @Test func theTransportsTimerEndsTheCallWithDeadlineExceeded() async throws {
        let server = RPCServer(services: [service])
        let timer = ManualTimer()
        let sink = RecordingSink()
        let handling = Task { await server.handle(try call(RPCServerTests.Service.sleep, timer: timer, sink: sink)) }
        #expect(await service.log.waitFor("started"))
        let delay = try #require(timer.delays.first)
        #expect(delay > .seconds(29) && delay <= .seconds(30), "the time left until the deadline")
        timer.fire()
        try await handling.value
        #expect(sink.finishes.map(\.status) == [Status(code: .deadlineExceeded, message: "deadline exceeded")])
        #expect(await service.log.waitFor("cancelled"), "the handler is cancelled")
    }

    @Test func aCallThatEndsFirstCancelsItsTimer() async throws {
        let server = RPCServer(services: [service])
        let timer = ManualTimer()
        let sink = RecordingSink()
        await server.handle(try call(RPCServerTests.Service.echo, timer: timer, sink: sink))
        #expect(sink.finishes.map(\.status.code) == [.ok])
        #expect(timer.delays.count == 1)
        #expect(timer.cancelled == 1)
        timer.fire()  // too late: nothing more is sent
        #expect(sink.finishes.count == 1)
    }
}
