import ArgumentParser
import BigRPCNIO
import Logging

/// A server address given as `HOST:PORT` (`[::1]:7070` for IPv6).
struct Endpoint: ExpressibleByArgument, CustomStringConvertible, Hashable {
    let host: String
    let port: Int

    init?(argument: String) {
        guard let colon = argument.lastIndex(of: ":"),
              let port = Int(argument[argument.index(after: colon)...]), (1...65535).contains(port)
        else { return nil }
        var host = String(argument[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { return nil }
        self.host = host
        self.port = port
    }

    /// Whether `argument` is meant as an endpoint rather than a symbol
    /// (service and method names never hold a colon).
    static func looksLikeEndpoint(_ argument: String) -> Bool {
        argument.contains(":")
    }

    var description: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    static var defaultCompletionKind: CompletionKind { .default }

    /// A transport to the endpoint, whose connection opens on first use.
    /// Its log goes to standard error, warnings and worse only: standard
    /// output carries responses.
    func makeTransport() -> BigRPCClientTransport {
        var logger = Logger(label: "bigprobe") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = .warning
        return BigRPCClientTransport(host: host, port: port, logger: logger)
    }

    /// Runs `body` with a transport to the endpoint, closed when it returns.
    func withTransport<Result>(_ body: (BigRPCClientTransport) async throws -> Result) async throws -> Result {
        let transport = makeTransport()
        do {
            let result = try await body(transport)
            await transport.close()
            return result
        } catch {
            await transport.close()
            throw error
        }
    }
}
