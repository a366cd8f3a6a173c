import ArgumentParser

/// `bigprobe describe HOST:PORT SYMBOL`.
struct DescribeCommand: ProbeCommand {
    static let configuration = CommandConfiguration(
        commandName: "describe",
        abstract: "Describe a service, method, message or enum as proto-like text.",
        discussion: """
            From the server's reflection. SYMBOL is a full name: \
            bigshop.catalog.v1.CatalogService, bigshop.catalog.v1.CatalogService/GetProduct, \
            bigshop.catalog.v1.Product or bigshop.orders.v1.OrderStatus.
            """
    )

    @Argument(help: ArgumentHelp("The server.", valueName: "host:port"))
    var endpoint: Endpoint

    @Argument(help: "A fully qualified service, method, message or enum name.")
    var symbol: String

    @OptionGroup var connection: ConnectionOptions

    func execute() async throws -> Int32 {
        let name = ServerSchema.fullName(symbol)
        let text = try await connection.withTransport(to: endpoint) { transport -> String? in
            if let schema = try await ServerSchema.fetch(name, over: transport) {
                if let methods = schema.methods(of: name) { return ProtoText.service(name, methods) }
                if let message = schema.pool.message(named: name) { return ProtoText.message(message) }
                if let type = schema.pool.enumeration(named: name) { return ProtoText.enumeration(type) }
            }
            let (service, method) = ServerSchema.split(name)
            guard let schema = try await ServerSchema.fetch(service, over: transport),
                let target = schema.methods(of: service)?.first(where: { $0.method.method == method })
            else { return nil }
            return ProtoText.rpc(target) + "\n\n" + ProtoText.message(target.input) + "\n" + ProtoText.message(target.output)
        }
        guard let text else {
            throw ProbeError("unknown symbol \(symbol): 'bigprobe list HOST:PORT' shows the server's services")
        }
        Terminal.write(text)
        return 0
    }
}
