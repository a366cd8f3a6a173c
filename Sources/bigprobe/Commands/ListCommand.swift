import ArgumentParser
import BigRPC
import BigRPCProtos

/// `bigprobe list HOST:PORT [SERVICE]`.
struct ListCommand: ProbeCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List services, or a service's methods.",
        discussion: """
            Lists what the server exposes (its reflection service); with SERVICE, \
            its methods as package.Service/Method.
            """
    )

    @Argument(help: ArgumentHelp("The server.", valueName: "host:port"))
    var endpoint: Endpoint

    @Argument(help: "A fully qualified service name.")
    var service: String?

    @OptionGroup var connection: ConnectionOptions

    func execute() async throws -> Int32 {
        let lines = try await connection.withTransport(to: endpoint) { transport in
            let reflection = Bigrpc_Reflection_V1_Reflection.Client(wrapping: RPCClient(transport: transport))
            let names = try await reflection.listServices(.init(), options: CallOptions(timeout: .seconds(10))).services
            guard let service else { return names }
            let name = ServerSchema.fullName(service)
            guard names.contains(name) else { throw RPCError(.notFound, "\(endpoint) does not expose \(name)") }
            guard let methods = try await ServerSchema.fetch(name, over: transport)?.methods(of: name) else {
                throw ProbeError("\(endpoint) exposes \(name) but its reflection does not describe it")
            }
            return methods.map { "\(name)/\($0.method.method)" }
        }
        for line in lines { Terminal.write(line + "\n") }
        return 0
    }
}
