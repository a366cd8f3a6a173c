import Foundation

/// Where the services a process does not run are (`--peers FILE`): a JSON
/// object mapping each service name to its addresses, each `host:port`
/// (`[v6]:port` for IPv6) or `dns:NAME:PORT`.
///
/// ```json
/// { "catalog": ["10.0.0.2:7071"], "orders": ["10.0.0.3:7071"], "history": ["dns:history.internal:7071"] }
/// ```
public struct Peers: Sendable, Equatable {
    /// One address of a peer.
    public struct Endpoint: Sendable, Hashable, CustomStringConvertible {
        public var host: String
        public var port: Int
        /// A `dns:` entry: calls go to every address the name resolves to,
        /// looked up again every 30 s.
        public var isDNSName: Bool

        public init(host: String, port: Int, isDNSName: Bool = false) {
            self.host = host
            self.port = port
            self.isDNSName = isDNSName
        }

        /// Parses one address of the file.
        init(parsing text: String) throws(BigShopConfigurationError) {
            var rest = Substring(text)
            let isDNSName = rest.hasPrefix("dns:")
            if isDNSName { rest = rest.dropFirst(4) }
            guard let colon = rest.lastIndex(of: ":"), let port = Int(rest[rest.index(after: colon)...]), (1...65535).contains(port) else {
                throw BigShopConfigurationError("peer address \"\(text)\" is not host:port or dns:NAME:PORT")
            }
            var host = rest[..<colon]
            if host.hasPrefix("["), host.hasSuffix("]") { host = host.dropFirst().dropLast() }
            guard !host.isEmpty, !host.contains(where: { $0.isWhitespace || $0 == "/" }) else {
                throw BigShopConfigurationError("peer address \"\(text)\" has no host")
            }
            self.init(host: String(host), port: port, isDNSName: isDNSName)
        }

        public var description: String {
            (isDNSName ? "dns:" : "") + (host.contains(":") ? "[\(host)]" : host) + ":\(port)"
        }
    }

    /// The addresses of each part's peers.
    public var endpoints: [ShopAssembly.Part: [Endpoint]]

    public init(_ endpoints: [ShopAssembly.Part: [Endpoint]] = [:]) {
        self.endpoints = endpoints
    }

    /// Reads and checks a peers file; the error names what is wrong.
    public static func load(fromJSONFile path: String) throws(BigShopConfigurationError) -> Peers {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw BigShopConfigurationError("cannot read the peers file \(path): \(error.localizedDescription)")
        }
        let entries: [String: [String]]
        do {
            entries = try JSONDecoder().decode([String: [String]].self, from: data)
        } catch {
            throw BigShopConfigurationError("the peers file \(path) is not a JSON object of service names to lists of addresses")
        }
        var peers = Peers()
        for (name, addresses) in entries.sorted(by: { $0.key < $1.key }) {
            if name == ServiceSelection.gatewayName { continue }  // nothing calls a gateway
            guard let part = ShopAssembly.Part(rawValue: name) else {
                throw BigShopConfigurationError(
                    "the peers file \(path) names \"\(name)\", which is not one of \(ServiceSelection.allNames.joined(separator: ","))")
            }
            guard !addresses.isEmpty else { throw BigShopConfigurationError("the peers file \(path) lists no address for \(name)") }
            peers.endpoints[part] = try addresses.map { (text) throws(BigShopConfigurationError) in try Endpoint(parsing: text) }
        }
        return peers
    }
}
