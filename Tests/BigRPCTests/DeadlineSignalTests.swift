import BigRPC
import BigRPCTestingProtos
import Testing

/// `RPCServer` ends a call with DEADLINE_EXCEEDED when the transport fires
/// the call's `DeadlineSignal`, and does not time the call itself then.
@Suite(.timeLimit(.minutes(1)))
struct DeadlineSignalTests {
    typealias Request = Bigrpc_Testing_V1_SimpleRequest

    private let service = RPCServerTests.Service()

    private func call(_ method: MethodDescriptor, timeout: Duration, signal: DeadlineSignal, sink: RecordingSink) throws -> ServerCall {
        let requests = RPCMessageQueue<[UInt8]>()
        requests.yield(try Request().bytes)
        requests.finish()
        return ServerCall(
            path: method.path, metadata: [:], timeout: timeout, peer: "test-peer",
            requests: RPCAsyncSequence { try await requests.next() }, responses: sink,
            deadlineSignal: signal
        )
    }

    @Test func firingTheSignalEndsTheCallWithDeadlineExceeded() async throws {
        let server = RPCServer(services: [service])
        let signal = DeadlineSignal()
        let sink = RecordingSink()
        let call = try call(RPCServerTests.Service.sleep, timeout: .seconds(30), signal: signal, sink: sink)
        let handling = Task { await server.handle(call) }
        #expect(await service.log.waitFor("started"))
        signal.fire()
        await handling.value
        #expect(sink.finishes.map(\.status) == [Status(code: .deadlineExceeded, message: "deadline exceeded")])
        #expect(await service.log.waitFor("cancelled"), "the handler is cancelled")
    }

    @Test func aSignalFiredBeforeTheHandlerStartsStillEndsTheCall() async throws {
        let server = RPCServer(services: [service])
        let signal = DeadlineSignal()
        signal.fire()
        let sink = RecordingSink()
        await server.handle(try call(RPCServerTests.Service.sleep, timeout: .seconds(30), signal: signal, sink: sink))
        #expect(sink.finishes.map(\.status.code) == [.deadlineExceeded])
    }

    @Test func withASignalTheServerDoesNotTimeTheCallItself() async throws {
        // A 1 ms timeout the server would enforce on its own: with a signal
        // that never fires, only the handler's own end finishes the call.
        let server = RPCServer(services: [service])
        let sink = RecordingSink()
        let handling = Task {
            await server.handle(try call(RPCServerTests.Service.stubborn, timeout: .milliseconds(1), signal: DeadlineSignal(), sink: sink))
        }
        #expect(await service.log.waitFor("started"))
        try await Task.sleep(for: .milliseconds(50))
        #expect(sink.finishes.isEmpty)
        service.release.open()
        try await handling.value
        #expect(sink.finishes.map(\.status.code) == [.ok])
    }

    @Test func firingAfterTheCallEndedChangesNothing() async throws {
        let server = RPCServer(services: [service])
        let signal = DeadlineSignal()
        let sink = RecordingSink()
        await server.handle(try call(RPCServerTests.Service.echo, timeout: .seconds(30), signal: signal, sink: sink))
        signal.fire()
        #expect(signal.hasFired)
        #expect(sink.finishes.map(\.status.code) == [.ok])
    }
}
