import ArgumentParser
import BigRPC
import BigRPCNIO

/// `bigprobe bench HOST:PORT METHOD -d '{json}' -c C --connections N (-n TOTAL | -z DURATION) [--rps R]`.
struct BenchCommand: ProbeCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Load-test a method: calls per second, latency percentiles, status codes.",
        discussion: """
            CONCURRENCY workers call in a loop, spread over N connections, until TOTAL \
            calls or DURATION (30s, 500ms, 2m) have passed, at most R calls per second \
            when --rps is given. A progress bar shows on a terminal. The report gives \
            the count, calls per second, latency min/p50/p90/p99/p99.9/max \
            (HdrHistogram) and the calls per status code; --format json for machines.
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, json
    }

    @Argument(help: ArgumentHelp("The server.", valueName: "host:port"))
    var endpoint: Endpoint

    @Argument(help: ArgumentHelp("The method, as package.Service/Method.", valueName: "method"))
    var method: String

    @OptionGroup var request: RequestOptions

    @OptionGroup var connection: ConnectionOptions

    @Option(name: [.customShort("c"), .long], help: "Calls in flight at once.")
    var concurrency = 10

    @Option(help: "Connections to spread the calls over.")
    var connections = 1

    @Option(name: [.customShort("n"), .long], help: "Stop after this many calls.")
    var total: Int?

    @Option(name: [.customShort("z"), .long], help: "Stop after this long (30s, 500ms, 2m).")
    var duration: BenchDuration?

    @Option(help: "At most this many calls started per second.")
    var rps: Double?

    @Option(help: "Report format: text or json.")
    var format: Format = .text

    func validate() throws {
        guard (total == nil) != (duration == nil) else { throw ValidationError("give exactly one of -n TOTAL and -z DURATION") }
        if let total, total < 1 { throw ValidationError("-n must be at least 1") }
        guard concurrency >= 1 else { throw ValidationError("-c must be at least 1") }
        guard connections >= 1 else { throw ValidationError("--connections must be at least 1") }
        if let rps, !(rps > 0) { throw ValidationError("--rps must be positive") }
    }

    func execute() async throws -> Int32 {
        let plan = BenchPlan(total: total, duration: duration?.duration, concurrency: concurrency, rate: rps)
        let metadata = try request.metadata(for: endpoint)
        let transports = try connection.transports(to: endpoint, count: connections)
        let runner: BenchRunner
        do {
            let target = try await ServerSchema.method(named: method, over: transports[0], metadata: metadata)
            runner = BenchRunner(
                plan: plan,
                transports: transports,
                method: target.method,
                requests: try request.encodedRequests(for: target.method, input: target.input),
                metadata: metadata,
                options: request.callOptions
            )
        } catch {
            for transport in transports { await transport.close() }
            throw error
        }
        let counters = BenchRunner.Counters()
        let (tally, elapsed) = await withTaskGroup(of: Void.self) { group in
            if Terminal.standardErrorIsTerminal {
                group.addTask { await Self.showProgress(counters, plan) }
            }
            let outcome = await runner.run(counters: counters)
            group.cancelAll()
            return outcome
        }
        for transport in transports { await transport.close() }
        let report = BenchReport(tally: tally, elapsed: elapsed)
        Terminal.write(format == .json ? try report.json() : report.text)
        return 0
    }

    private static func showProgress(_ counters: BenchRunner.Counters, _ plan: BenchPlan) async {
        let clock = ContinuousClock()
        let start = clock.now
        while (try? await clock.sleep(for: .milliseconds(100))) != nil {
            let finished = counters.finished.load(ordering: .relaxed)
            Terminal.writeError(ProgressBar.line(finished: finished, elapsed: clock.now - start, plan: plan))
        }
        Terminal.writeError(ProgressBar.clear)
    }
}
