import ArgumentParser
import BigRPC
import BigRPCProtos

/// `bigprobe health HOST:PORT`.
struct HealthCommand: ProbeCommand {
    static let configuration = CommandConfiguration(
        commandName: "health",
        abstract: "Ask a server whether it is serving.",
        discussion: """
            Prints SERVING or NOT_SERVING. Exits 0 when serving, 1 when not, and \
            64 + the status code when the check fails (UNAVAILABLE 78: no server).
            """
    )

    @Argument(help: ArgumentHelp("The server.", valueName: "host:port"))
    var endpoint: Endpoint

    @Option(help: "A fully qualified service to ask about; the whole server when absent.")
    var service = ""

    @Option(name: .customLong("max-time"), help: "The deadline of the check, in seconds.")
    var maxTime = 5.0

    @OptionGroup var connection: ConnectionOptions

    func validate() throws {
        guard maxTime > 0 else { throw ValidationError("--max-time must be a positive number of seconds") }
    }

    func execute() async throws -> Int32 {
        let options = CallOptions(timeout: Duration(saturatingSeconds: maxTime))
        let response = try await connection.withTransport(to: endpoint) { transport in
            let health = Bigrpc_Health_V1_Health.Client(wrapping: RPCClient(transport: transport))
            return try await health.check(.init(service: service), options: options)
        }
        switch response.status {
        case .serving:
            Terminal.write("SERVING\n")
            return 0
        case .notServing:
            Terminal.write("NOT_SERVING\n")
        case .unspecified, .unrecognized:
            Terminal.write("UNKNOWN (\(response.status.rawValue))\n")
        }
        return 1
    }
}
