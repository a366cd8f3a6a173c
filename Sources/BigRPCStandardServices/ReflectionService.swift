public import BigRPC
public import BigRPCProtos

/// `bigrpc.reflection.v1.Reflection`: lists the services a server exposes,
/// by fully qualified name. Every BigRPC server exposes it.
public struct ReflectionService: Bigrpc_Reflection_V1_Reflection.ServiceProtocol {
    private let services: [String]

    public init(services: some Sequence<String>) {
        self.services = Set(services).sorted()
    }

    public func listServices(
        request: Bigrpc_Reflection_V1_ListServicesRequest,
        context: ServerContext
    ) async throws -> Bigrpc_Reflection_V1_ListServicesResponse {
        Bigrpc_Reflection_V1_ListServicesResponse(services: services)
    }
}
