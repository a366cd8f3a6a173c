import ArgumentParser
import BigRPC
import BigRPCProtos

/// `bigprobe list [HOST:PORT] [SERVICE]`.
struct ListCommand: ProbeCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List services, or a service's methods.",
        discussion: """
            With HOST:PORT, lists what the server exposes (its reflection service); \
            without, the services whose descriptors are compiled into bigprobe. With \
            SERVICE, lists its methods as package.Service/Method.
            """
    )

    @Argument(help: ArgumentHelp("A server as HOST:PORT, a service, or both.", valueName: "host:port | service"))
    var arguments: [String] = []

    @OptionGroup var connection: ConnectionOptions

    func execute() async throws -> Int32 {
        var arguments = self.arguments[...]
        var endpoint: Endpoint?
        if let first = arguments.first, Endpoint.looksLikeEndpoint(first) {
            guard let parsed = Endpoint(argument: first) else { throw ProbeError("\"\(first)\" is not HOST:PORT") }
            endpoint = parsed
            arguments = arguments.dropFirst()
        }
        guard arguments.count <= 1 else { throw ProbeError("expected at most HOST:PORT and one SERVICE") }

        let names = if let endpoint {
            try await servicesExposed(by: endpoint)
        } else {
            ServiceCatalog.services.map(\.name)
        }
        guard let requested = arguments.first else {
            for name in names {
                let known = ServiceCatalog.service(named: name) != nil
                Terminal.write(known ? "\(name)\n" : "\(name)  (no descriptors compiled into bigprobe)\n")
            }
            return 0
        }
        let name = requested.hasPrefix(".") ? String(requested.dropFirst()) : requested
        if let endpoint, !names.contains(name) {
            throw RPCError(.notFound, "\(endpoint) does not expose \(name)")
        }
        guard let service = ServiceCatalog.service(named: name) else {
            throw ProbeError("no descriptors for \(name) are compiled into bigprobe")
        }
        for method in service.methods { Terminal.write("\(service.name)/\(method.method)\n") }
        return 0
    }

    private func servicesExposed(by endpoint: Endpoint) async throws -> [String] {
        try await connection.withTransport(to: endpoint) { transport in
            let reflection = Bigrpc_Reflection_V1_Reflection.Client(wrapping: RPCClient(transport: transport))
            return try await reflection.listServices(.init(), options: CallOptions(timeout: .seconds(10))).services
        }
    }
}
