import ArgumentParser

/// `bigprobe describe SYMBOL`.
struct DescribeCommand: ProbeCommand {
    static let configuration = CommandConfiguration(
        commandName: "describe",
        abstract: "Describe a service, method, message or enum as proto-like text.",
        discussion: """
            From the descriptors compiled into bigprobe. SYMBOL is a full name: \
            bigshop.catalog.v1.CatalogService, bigshop.catalog.v1.CatalogService/GetProduct, \
            bigshop.catalog.v1.Product or bigshop.orders.v1.OrderStatus.
            """
    )

    @Argument(help: "A fully qualified service, method, message or enum name.")
    var symbol: String

    func execute() async throws -> Int32 {
        let name = symbol.hasPrefix(".") ? String(symbol.dropFirst()) : symbol
        if let service = ServiceCatalog.service(named: name) {
            Terminal.write(ProtoText.service(service))
        } else if let message = ServiceCatalog.messages[name] {
            Terminal.write(ProtoText.message(message))
        } else if let type = ServiceCatalog.enums[name] {
            Terminal.write(ProtoText.enumeration(type))
        } else if let target = ServiceCatalog.method(named: name) {
            Terminal.write(ProtoText.rpc(target.method, (target.input, target.output)) + "\n\n")
            Terminal.write(ProtoText.message(target.input) + "\n" + ProtoText.message(target.output))
        } else {
            throw ProbeError("unknown symbol \(symbol): 'bigprobe list' shows the services bigprobe knows")
        }
        return 0
    }
}
