import ArgumentParser
import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// `bigprobe top HOST:ADMIN_PORT`: a live view of a shop's admin `/metrics`.
struct TopCommand: ProbeCommand {
    static let configuration = CommandConfiguration(
        commandName: "top",
        abstract: "Watch a server's busiest methods and its flash-sale drop, from its admin /metrics.",
        discussion: """
            Reads http://HOST:ADMIN_PORT/metrics (bigshop serve --admin-port) every \
            --interval seconds and shows the methods with the most calls in that \
            interval, their errors and p99 latency, and each campaign's current drop, \
            remaining units and holds per second. Ctrl-C stops it; --count stops it \
            after that many screens.
            """
    )

    @Argument(help: ArgumentHelp("The admin listener.", valueName: "host:admin-port"))
    var endpoint: Endpoint

    @Option(help: "Seconds between screens.") var interval = 1.0
    @Option(help: "Methods shown.") var rows = 15
    @Option(help: "Screens to show before exiting (default: until interrupted).") var count: Int?
    @Flag(help: "Print each screen after the last instead of redrawing (for logs and tests).") var noClear = false

    func validate() throws {
        guard interval > 0 else { throw ValidationError("--interval must be a positive number of seconds") }
        guard rows > 0 else { throw ValidationError("--rows must be positive") }
        if let count, count < 1 { throw ValidationError("--count must be at least 1") }
    }

    func execute() async throws -> Int32 {
        let host = endpoint.host.contains(":") ? "[\(endpoint.host)]" : endpoint.host
        guard let url = URL(string: "http://\(host):\(endpoint.port)/metrics") else { throw ProbeError("bad address \(endpoint)") }
        let period = Duration.milliseconds(Int((interval * 1000).rounded()))
        var previous: (scrape: MetricsScrape, at: ContinuousClock.Instant)?
        var shown = 0
        // The first screen waits one interval, so that it shows rates.
        while count.map({ shown < $0 }) ?? true {
            let scrape = try await Self.fetch(url)
            let now = ContinuousClock.now
            if let previous {
                let view = TopView(previous: previous.scrape, current: scrape, elapsed: now - previous.at, rows: rows)
                Terminal.write((noClear ? "" : "\u{1B}[H\u{1B}[2J") + view.render(endpoint: endpoint.description))
                shown += 1
            }
            previous = (scrape, now)
            if count.map({ shown < $0 }) ?? true { try await Task.sleep(for: period) }
        }
        return 0
    }

    /// GETs `url`; a status other than 200 is an error.
    static func fetch(_ url: URL) async throws -> MetricsScrape {
        var request = URLRequest(url: url)
        request.timeoutInterval = 5
        let (data, response): (Data, URLResponse) = try await withCheckedThrowingContinuation { continuation in
            URLSession.shared.dataTask(with: request) { data, response, error in
                if let data, let response {
                    continuation.resume(returning: (data, response))
                } else {
                    continuation.resume(throwing: error ?? ProbeError("no response from \(url)"))
                }
            }.resume()
        }
        guard let status = (response as? HTTPURLResponse)?.statusCode, status == 200 else {
            throw ProbeError("\(url) answered HTTP \((response as? HTTPURLResponse)?.statusCode ?? 0)")
        }
        return MetricsScrape(text: String(decoding: data, as: UTF8.self))
    }
}
