public import BigRPC
public import BigRPCProtos
import Synchronization

/// `bigrpc.health.v1.Health`: reports whether the server, or one of its
/// services, is serving. Every BigRPC server exposes it; it turns to
/// NOT_SERVING when a graceful shutdown begins, so load balancers stop
/// sending new work while calls in flight finish.
public final class HealthService: Bigrpc_Health_V1_Health.ServiceProtocol {
    public typealias ServingStatus = Bigrpc_Health_V1_HealthCheckResponse.ServingStatus

    private let state: Mutex<(serving: Bool, services: Set<String>, notServing: Set<String>)>

    /// - Parameter services: the fully qualified names the server exposes.
    public init(services: some Sequence<String>) {
        state = Mutex((serving: true, services: Set(services), notServing: []))
    }

    /// Marks the whole server (and every service) serving or not.
    public func setServing(_ serving: Bool) {
        state.withLock { $0.serving = serving }
    }

    /// Whether the server as a whole is serving (``setServing(_:)``).
    public var isServing: Bool { state.withLock { $0.serving } }

    /// Marks one service serving or not (while the server serves); the
    /// server's own status (service "") is unchanged.
    public func setServing(_ serving: Bool, service: String) {
        state.withLock { state in
            if serving { state.notServing.remove(service) } else { state.notServing.insert(service) }
        }
    }

    public func check(
        request: Bigrpc_Health_V1_HealthCheckRequest,
        context: ServerContext
    ) async throws -> Bigrpc_Health_V1_HealthCheckResponse {
        let (serving, known) = state.withLock {
            ($0.serving && !$0.notServing.contains(request.service), $0.services.contains(request.service))
        }
        guard request.service.isEmpty || known else {
            throw RPCError(.notFound, "unknown service \(Status.excerpt(request.service))")
        }
        return Bigrpc_Health_V1_HealthCheckResponse(status: serving ? .serving : .notServing)
    }
}
