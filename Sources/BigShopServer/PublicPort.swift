import BigRPC
import BigRPCNIO
import BigRPCStandardServices
import ServiceLifecycle

/// The public port as a `ServiceGroup` member: serves until a graceful
/// shutdown, which turns Health NOT_SERVING (load balancers stop sending new
/// calls) and drains the calls in flight.
struct PublicPort: Service {
    let transport: BigRPCServer
    let server: RPCServer
    let health: HealthService

    func run() async throws {
        try await withGracefulShutdownHandler {
            try await transport.listen(server)
        } onGracefulShutdown: {
            health.setServing(false)
            transport.beginGracefulShutdown()
        }
    }
}
