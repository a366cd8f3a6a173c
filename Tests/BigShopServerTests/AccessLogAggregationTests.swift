import BigRPC
import BigRPCNIO
import BigRPCProtos
import BigRPCStandardServices
import BigShopGateway
import BigShopTestSupport
import Testing

/// A flood of refused calls costs a line per interval in the access log,
/// not a line per call (the red team's finding F1c: 85 MB of log in 75 s);
/// served calls keep their own lines. The public port's interceptors, in
/// the shop's order, over real TCP.
@Suite(.timeLimit(.minutes(1)))
struct AccessLogAggregationTests {
    @Test func refusalsAreLoggedInAggregate() async throws {
        let recorder = LogRecorder()
        var limits = RateLimits()
        limits.allCallsPerAddress = .init(perSecond: 0.001, burst: 3)
        let gateway = GatewayInterceptor(policy: .shop, limiters: GatewayLimiters(limits)) { _ in nil }
        let access = AccessLogInterceptor(logger: recorder.logger("access"), aggregationInterval: .seconds(2))
        let rpc = RPCServer(services: StandardServices(serving: []).all, interceptors: [access, gateway])
        let server = BigRPCServer()
        let serving = Task { try await server.listen(rpc) }
        let port = try await server.listeningAddress().port!
        let health = Bigrpc_Health_V1_Health.Client(wrapping: RPCClient(transport: BigRPCClientTransport(host: "127.0.0.1", port: port)))

        let clock = ContinuousClock()
        let started = clock.now
        var refused = 0
        for _ in 0..<50 {
            do {
                _ = try await health.check(.init())
            } catch let error as RPCError where error.code == .resourceExhausted {
                refused += 1
            }
        }
        let intervals = Int((clock.now - started) / .seconds(2)) + 1
        #expect(refused == 47)
        // The three served calls are logged as always; of the refusals, the
        // first of each 2 s interval on its own line (on a loaded machine the
        // loop may span a few intervals), the others not one by one...
        #expect(recorder.lines(containing: "call ok").count == 3)
        let alone = recorder.lines(containing: "call failed", "RESOURCE_EXHAUSTED").count
        #expect(alone >= 1 && alone <= intervals)
        // ...but together, once their interval ends: every refusal is accounted for.
        var accounted = 0
        for _ in 0..<100 where accounted < 47 {
            try await Task.sleep(for: .milliseconds(100))
            let aggregated = recorder.lines(containing: "calls aggregated", "RESOURCE_EXHAUSTED").compactMap { line in
                line.split(separator: " ").first { $0.hasPrefix("count=") }.flatMap { Int($0.dropFirst(6)) }
            }
            accounted = recorder.lines(containing: "call failed", "RESOURCE_EXHAUSTED").count + aggregated.reduce(0, +)
        }
        #expect(accounted == 47)
        server.beginGracefulShutdown()
        try await serving.value
    }
}
