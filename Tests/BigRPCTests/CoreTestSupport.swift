import BigRPC
import BigRPCCodec
import Synchronization

// Small helpers shared by the core's suites: an event log for test services and
// interceptors, a bounded wait, and a response sink that records what
// `RPCServer.handle(_:)` sends (the transport's half of a call, nothing more).

/// What test services and interceptors saw, in order.
final class EventLog: Sendable {
    private let events = Mutex<[String]>([])

    func record(_ event: String) {
        events.withLock { $0.append(event) }
    }

    var all: [String] { events.withLock { $0 } }

    /// Waits (bounded) until `event` has been recorded; false if it never was.
    func waitFor(_ event: String, timeout: Duration = .seconds(10)) async -> Bool {
        await eventually(timeout: timeout) { self.all.contains(event) }
    }
}

/// Polls `condition` until it holds or `timeout` passes; returns whether it held.
func eventually(timeout: Duration = .seconds(10), _ condition: @Sendable () -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + timeout
    while true {
        if condition() { return true }
        if ContinuousClock.now >= deadline { return false }
        try? await Task.sleep(for: .milliseconds(2))
    }
}

/// A counter shared between a test and the code it drives.
final class Counter: Sendable {
    private let value = Mutex(0)

    @discardableResult
    func increment() -> Int {
        value.withLock {
            $0 += 1
            return $0
        }
    }

    var count: Int { value.withLock { $0 } }
}

/// Records the responses and the final status `RPCServer` hands a transport.
final class RecordingSink: ServerResponseSink {
    struct Finish: Sendable {
        var status: Status
        var trailers: Metadata
    }

    private let state = Mutex<(messages: [[UInt8]], finishes: [Finish], logs: [[String]])>(([], [], []))
    /// Read at each finish, for tests of what had happened by then.
    private let snapshot: @Sendable () -> [String]

    init(snapshot: @escaping @Sendable () -> [String] = { [] }) {
        self.snapshot = snapshot
    }

    func write(_ message: [UInt8]) async throws {
        state.withLock { $0.messages.append(message) }
    }

    func finish(status: Status, trailers: Metadata) {
        let log = snapshot()
        state.withLock {
            $0.finishes.append(Finish(status: status, trailers: trailers))
            $0.logs.append(log)
        }
    }

    /// What `snapshot` returned at each finish.
    var logsAtFinish: [[String]] { state.withLock { $0.logs } }

    var messages: [[UInt8]] { state.withLock { $0.messages } }
    var finishes: [Finish] { state.withLock { $0.finishes } }
}

extension RPCServer {
    /// Runs one call whose request stream holds exactly `requests` (then ends),
    /// and returns what the server sent.
    func handle(
        _ path: String,
        requests: [[UInt8]],
        metadata: Metadata = [:],
        timeout: Duration? = nil
    ) async -> RecordingSink {
        let sink = RecordingSink()
        let queue = RPCMessageQueue<[UInt8]>(highWatermark: max(16, requests.count + 1), lowWatermark: 0)
        for request in requests { queue.yield(request) }
        queue.finish()
        await handle(
            ServerCall(
                path: path,
                metadata: metadata,
                timeout: timeout,
                peer: "test-peer",
                requests: RPCAsyncSequence { try await queue.next() },
                responses: sink
            ))
        return sink
    }
}

extension ProtoMessage {
    /// The encoding of a message the tests build (never fails for them).
    var bytes: [UInt8] {
        get throws { try serializedBytes() }
    }
}

/// A one-shot gate: `wait()` suspends, ignoring cancellation, until `open()`.
final class Gate: Sendable {
    private struct State {
        var isOpen = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())

    func wait() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let isOpen = state.withLock { state in
                if !state.isOpen { state.waiters.append(continuation) }
                return state.isOpen
            }
            if isOpen { continuation.resume() }
        }
    }

    func open() {
        let waiters = state.withLock { state in
            state.isOpen = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }
}

/// Whether `id` looks like a request id the server made: 32 lowercase hex digits.
func isGeneratedRequestID(_ id: String?) -> Bool {
    guard let id else { return false }
    return id.utf8.count == 32
        && id.utf8.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0) }
}
