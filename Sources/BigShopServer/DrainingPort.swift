import BigRPC
import BigRPCNIO
import BigRPCStandardServices
import ServiceLifecycle

/// A port (the public one, or the internal one) as a `ServiceGroup` member:
/// serves until a graceful shutdown, which turns Health NOT_SERVING, keeps
/// serving for the drain grace (so load balancers that poll Health stop
/// sending new calls first), then drains the calls in flight (GOAWAY).
struct DrainingPort: Service {
    let transport: BigRPCServer
    let server: RPCServer
    /// What `server` serves (for the HTTP edge's routes).
    let services: [any RegistrableRPCService]
    let health: HealthService
    /// Between NOT_SERVING and GOAWAY.
    let drainGrace: Duration

    func run() async throws {
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { try await transport.listen(server) }
            // Returns at the graceful shutdown, or throws when the task is
            // cancelled (listen stops by itself then).
            try? await gracefulShutdown()
            health.setServing(false)
            if drainGrace > .zero { try? await Task.sleep(for: drainGrace) }
            transport.beginGracefulShutdown()
        }
    }
}
