import Synchronization

/// Spreads the calls of one service over several endpoints (replicas), each
/// reached through a transport of its own.
///
/// Each call goes to the less loaded (fewer calls in flight) of two endpoints
/// picked at random among those not backing off ("power of two choices"). An
/// endpoint that cannot be reached (UNAVAILABLE before the call's stream
/// opened: the server never saw the call) gets no calls for a backoff that
/// doubles with each failure, and the call moves to another endpoint without
/// its caller seeing the failure. Calls that reached a server are never
/// retried here: whether they may be is the caller's decision (see
/// ``RetryInterceptor``).
///
/// An endpoint marked not serving (``setServing(_:endpoint:)``, e.g. by a
/// health checker) gets no new calls while another is serving.
public final class LoadBalancingTransport: ClientTransport {
    /// How long an unreachable endpoint is left alone.
    public struct Backoff: Sendable {
        /// After the first failure in a row.
        public var initial: Duration
        /// The longest, however many failures in a row.
        public var maximum: Duration

        public init(initial: Duration = .milliseconds(100), maximum: Duration = .seconds(5)) {
            self.initial = initial
            self.maximum = maximum
        }
    }

    private struct Endpoint {
        var inFlight = 0
        var failuresInARow = 0
        var downUntil: ContinuousClock.Instant?
        var serving = true
    }

    /// The endpoints' transports, in the order given.
    public let endpoints: [any ClientTransport]
    private let backoff: Backoff
    private let state: Mutex<[Endpoint]>

    /// Balances over `endpoints` (at least one).
    public init(endpoints: [any ClientTransport], backoff: Backoff = Backoff()) {
        precondition(!endpoints.isEmpty, "a balancer needs at least one endpoint")
        self.endpoints = endpoints
        self.backoff = backoff
        self.state = Mutex(Array(repeating: Endpoint(), count: endpoints.count))
    }

    /// The number of calls in flight on each endpoint, in the order given.
    public var callsInFlight: [Int] { state.withLock { $0.map(\.inFlight) } }

    /// Whether each endpoint is marked serving, in the order given.
    public var serving: [Bool] { state.withLock { $0.map(\.serving) } }

    /// Marks endpoint `index` serving or not: one not serving gets new
    /// calls only when no endpoint is serving.
    public func setServing(_ serving: Bool, endpoint index: Int) {
        state.withLock { $0[index].serving = serving }
    }

    public func withStream<Result: Sendable>(
        method: MethodDescriptor,
        metadata: Metadata,
        options: CallOptions,
        _ body: (ClientStream) async throws -> Result
    ) async throws -> Result {
        var tried = Set<Int>()
        var lastFailure: (any Error)?
        while let index = pick(excluding: tried) {
            var opened = false
            do {
                let result = try await endpoints[index].withStream(method: method, metadata: metadata, options: options) { stream in
                    opened = true
                    return try await body(stream)
                }
                finished(index, reachable: true)
                return result
            } catch {
                let unreachable = !opened && (error as? RPCError)?.code == .unavailable
                finished(index, reachable: !unreachable)
                guard unreachable else { throw error }
                tried.insert(index)
                lastFailure = error
            }
        }
        throw lastFailure ?? RPCError(.unavailable, "no endpoint could be reached")
    }

    /// The endpoint for the next call, counted in flight; nil when every
    /// endpoint was tried. Endpoints backing off are taken only when all
    /// untried ones are, the one whose backoff ends first.
    private func pick(excluding tried: Set<Int>) -> Int? {
        let now = ContinuousClock.now
        return state.withLock { endpoints in
            let untried = endpoints.indices.filter { !tried.contains($0) }
            guard !untried.isEmpty else { return nil }
            let reachable = untried.filter { endpoints[$0].downUntil.map { $0 <= now } ?? true }
            let serving = reachable.filter { endpoints[$0].serving }
            let up = serving.isEmpty ? reachable : serving
            let chosen: Int
            if up.isEmpty {
                // All backing off: the one whose backoff ends first.
                chosen = untried.min { (endpoints[$0].downUntil ?? now) < (endpoints[$1].downUntil ?? now) } ?? untried[0]
            } else {
                // Two at random among those up, the less loaded of them.
                chosen = up.shuffled().prefix(2).min { endpoints[$0].inFlight < endpoints[$1].inFlight } ?? up[0]
            }
            endpoints[chosen].inFlight += 1
            return chosen
        }
    }

    private func finished(_ index: Int, reachable: Bool) {
        let now = ContinuousClock.now
        state.withLock { endpoints in
            endpoints[index].inFlight -= 1
            if reachable {
                endpoints[index].failuresInARow = 0
                endpoints[index].downUntil = nil
            } else {
                endpoints[index].failuresInARow += 1
                let doublings = min(endpoints[index].failuresInARow - 1, 16)
                let wait = min(backoff.initial * (1 << doublings), backoff.maximum)
                endpoints[index].downUntil = now + wait
            }
        }
    }
}
