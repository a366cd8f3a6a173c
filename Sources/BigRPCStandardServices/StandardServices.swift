public import BigRPC
import BigRPCProtos

/// The services every BigRPC server exposes beside its own: Health and
/// Reflection, both covering everything the server hosts.
public struct StandardServices: Sendable {
    /// Health, to turn NOT_SERVING when a graceful shutdown begins.
    public let health: HealthService
    /// `services` followed by Health and Reflection: what to give `RPCServer`.
    public let all: [any RegistrableRPCService]

    /// - Parameter services: the server's own services.
    public init(serving services: [any RegistrableRPCService]) {
        let names =
            RPCRouter(services: services).services
            + [Bigrpc_Health_V1_Health.serviceName, Bigrpc_Reflection_V1_Reflection.serviceName]
        health = HealthService(services: names)
        all = services + [health, ReflectionService(services: services + [health])]
    }
}
