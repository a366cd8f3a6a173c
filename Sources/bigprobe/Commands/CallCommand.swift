import ArgumentParser
import BigRPC
import BigRPCCodec
import ProtoJSON

/// `bigprobe call HOST:PORT package.Service/Method -d '{json}'`.
struct CallCommand: ProbeCommand {
    static let configuration = CommandConfiguration(
        commandName: "call",
        abstract: "Call a method with a JSON request; print each response as JSON.",
        discussion: """
            Responses print as they arrive, one JSON document each (server streaming \
            prints many). A failed call prints its status name, message and trailers \
            to standard error and exits with 64 + the status code. A token saved by \
            'bigprobe login' for the same HOST:PORT is sent as 'authorization: Bearer'.
            """
    )

    @Argument(help: ArgumentHelp("The server.", valueName: "host:port"))
    var endpoint: Endpoint

    @Argument(help: ArgumentHelp("The method, as package.Service/Method.", valueName: "method"))
    var method: String

    @OptionGroup var request: RequestOptions

    @OptionGroup var connection: ConnectionOptions

    @Flag(help: "Print each response on one line.")
    var compact = false

    @Flag(name: .shortAndLong, help: "Also print a successful call's trailers, to standard error.")
    var verbose = false

    func execute() async throws -> Int32 {
        let metadata = try request.metadata(for: endpoint)
        let encoder = ProtoJSONEncoder(prettyPrinted: !compact)
        let (status, trailers) = try await connection.withTransport(to: endpoint) { transport in
            let target = try await ServerSchema.method(named: method, over: transport, metadata: metadata)
            let requests = try request.encodedRequests(for: target.method, input: target.input)
            let call = RawCall(transport: transport, method: target.method, metadata: metadata, options: request.callOptions)
            return try await call.run(requests: requests) { bytes in
                let response: DynamicMessage
                do {
                    response = try DynamicCodec.decode(bytes, as: target.output)
                } catch {
                    throw RPCError(.internal, "response is not a valid \(target.output.fullName): \(error)")
                }
                Terminal.write(try encoder.encode(response) + "\n")
            }
        }
        if status.code != .ok {
            Terminal.writeError(StatusReport.text(code: status.code, message: status.message, trailers: trailers))
        } else if verbose {
            Terminal.writeError(trailers.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)\n" }.joined())
        }
        return StatusReport.exitCode(status.code)
    }
}
