import BigRPC
import Synchronization

/// Makes chosen client calls fail or hang, by method name (`ReleaseStock`,
/// `CompletePayment`, …): the services' outages and the process's deaths
/// that the saga must survive.
final class FaultInjector: ClientInterceptor {
    private enum Fault {
        case fail(StatusCode, remaining: Int)
        /// Once: suspends the call before it reaches the service (or after,
        /// with `afterCall`) until the call is cancelled or ``abortHangs()``.
        case hang(afterCall: Bool)
        /// Once: holds the call back until ``release(_:)``, then makes it.
        case pause
    }

    private struct State {
        var faults: [String: Fault] = [:]
        var failures: [String: Int] = [:]
        var hanging: Set<String> = []
        var paused: Set<String> = []
        var released: Set<String> = []
        var isAborted = false
        var idempotencyKeys: [String: [String]] = [:]
    }

    private let state = Mutex(State())

    /// The next `times` calls of `method` fail with `code`.
    func fail(_ method: String, times: Int, with code: StatusCode = .unavailable) {
        state.withLock { $0.faults[method] = .fail(code, remaining: times) }
    }

    /// The next call of `method` hangs, before reaching the service or, with
    /// `afterCall`, once it has answered.
    func hang(_ method: String, afterCall: Bool = false) {
        state.withLock { $0.faults[method] = .hang(afterCall: afterCall) }
    }

    /// The next call of `method` waits for ``release(_:)`` before it is made.
    func pause(_ method: String) {
        state.withLock { $0.faults[method] = .pause }
    }

    /// Lets the paused call of `method` go on.
    func release(_ method: String) {
        state.withLock { _ = $0.released.insert(method) }
    }

    /// Whether a call of `method` is waiting for ``release(_:)``.
    func isPaused(_ method: String) -> Bool {
        state.withLock { $0.paused.contains(method) }
    }

    /// How many calls of `method` were made to fail.
    func failures(of method: String) -> Int {
        state.withLock { $0.failures[method, default: 0] }
    }

    /// Whether a call of `method` is hanging now.
    func isHanging(_ method: String) -> Bool {
        state.withLock { $0.hanging.contains(method) }
    }

    /// The `idempotency-key` of each call of `method` that carried one, in order.
    func idempotencyKeys(of method: String) -> [String] {
        state.withLock { $0.idempotencyKeys[method, default: []] }
    }

    /// Ends every hanging call with `CancellationError`, as the death of the
    /// process would end it: nothing after it runs.
    func abortHangs() {
        state.withLock { $0.isAborted = true }
    }

    func intercept<Result: Sendable>(
        method: MethodDescriptor,
        metadata: Metadata,
        options: CallOptions,
        next: (Metadata, CallOptions) async throws -> Result
    ) async throws -> Result {
        let fault: Fault? = state.withLock { state in
            if let key = metadata[Metadata.idempotencyKey] { state.idempotencyKeys[method.method, default: []].append(key) }
            switch state.faults[method.method] {
            case .fail(let code, let remaining):
                state.failures[method.method, default: 0] += 1
                state.faults[method.method] = remaining > 1 ? .fail(code, remaining: remaining - 1) : nil
                return .fail(code, remaining: remaining)
            case .hang(let afterCall):
                state.faults[method.method] = nil
                return .hang(afterCall: afterCall)
            case .pause:
                state.faults[method.method] = nil
                state.paused.insert(method.method)
                return .pause
            case nil:
                return nil
            }
        }
        switch fault {
        case .fail(let code, _):
            throw RPCError(code, "injected fault")
        case .hang(let afterCall):
            if afterCall { _ = try await next(metadata, options) }
            state.withLock { _ = $0.hanging.insert(method.method) }
            while !state.withLock({ $0.isAborted }) {
                try await Task.sleep(for: .milliseconds(5))
            }
            throw CancellationError()
        case .pause:
            while !state.withLock({ $0.released.contains(method.method) }) {
                try await Task.sleep(for: .milliseconds(5))
            }
            state.withLock { state in
                state.paused.remove(method.method)
                state.released.remove(method.method)
            }
            return try await next(metadata, options)
        case nil:
            return try await next(metadata, options)
        }
    }
}
