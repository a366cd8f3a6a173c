import BigShopServerTestSupport
import Foundation
import Testing

/// `bigprobe bench` against a real server, with small totals.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct BenchTests {
    let probe = Probe()

    @Test func aTotalOfCallsReportsJSON() async throws {
        try await withDemoShop { shop in
            let result = try await probe.run([
                "bench", shop.endpoint, "bigshop.catalog.v1.CatalogService/ListProducts", "-d", #"{"pageSize": 3}"#,
                "-c", "4", "--connections", "2", "-n", "40", "--format", "json",
            ])
            #expect(result.exitCode == 0, "\(result.stderr)")
            let report = try result.json()
            #expect(report["count"] as? Int == 40)
            #expect(report["statusCodes"] as? [String: Int] == ["OK": 40])
            #expect((report["rps"] as? Double ?? 0) > 0)
            let latency = try #require(report["latencyMs"] as? [String: Double])
            #expect(Set(latency.keys) == ["min", "p50", "p90", "p99", "p99.9", "max"])
            let ordered = ["min", "p50", "p90", "p99", "p99.9", "max"].compactMap { latency[$0] }
            #expect(ordered == ordered.sorted() && ordered[0] > 0)
            // Not a terminal: no progress bar.
            #expect(result.stderr.isEmpty)
        }
    }

    @Test func statusCodesAreCounted() async throws {
        try await withDemoShop { shop in
            let result = try await probe.run([
                "bench", shop.endpoint, "bigshop.catalog.v1.CatalogService/GetProduct", "-d", #"{"id": "prd_missing"}"#,
                "-c", "2", "-n", "10", "--format", "json",
            ])
            #expect(result.exitCode == 0)
            #expect(try result.json()["statusCodes"] as? [String: Int] == ["NOT_FOUND": 10])
        }
    }

    @Test func aDurationAndARateBoundTheCalls() async throws {
        try await withDemoShop { shop in
            let result = try await probe.run([
                "bench", shop.endpoint, "bigrpc.testing.v1.TestService/EmptyCall", "-c", "3", "-z", "500ms", "--rps", "40",
            ])
            #expect(result.exitCode == 0)
            #expect(result.stdout.contains("Latency (ms):"))
            #expect(result.stdout.contains("p99.9"))
            #expect(result.stdout.contains("  OK"))
            let countLine = try #require(result.stdout.split(separator: "\n").first { $0.contains("Count:") })
            let count = try #require(Int(countLine.split(separator: " ").last ?? ""))
            // Calls start at 40 per second for half a second: calls 0 to 19.
            #expect(count >= 1 && count <= 20, "\(count) calls")
            let totalLine = try #require(result.stdout.split(separator: "\n").first { $0.contains("Total:") })
            let seconds = try #require(Double(totalLine.split(separator: " ").dropLast().last ?? ""))
            #expect(seconds >= 0.45)
        }
    }

    @Test func aStreamingMethodIsBenchedWholeCalls() async throws {
        try await withDemoShop { shop in
            let result = try await probe.run([
                "bench", shop.endpoint, "bigrpc.testing.v1.TestService/StreamingOutputCall",
                "-d", #"{"responseParameters": [{"size": 1}, {"size": 1}]}"#, "-n", "6", "-c", "2", "--format", "json",
            ])
            #expect(try result.json()["statusCodes"] as? [String: Int] == ["OK": 6])
        }
    }

    @Test(arguments: [
        ["-n", "10", "-z", "1s"],
        [String](),
        ["-n", "0"],
        ["-n", "5", "-c", "0"],
        ["-n", "5", "--rps", "-1"],
        ["-z", "soon"],
    ])
    func invalidPlansAreUsageErrors(plan: [String]) async throws {
        let result = try await probe.run(["bench", "127.0.0.1:1", "bigrpc.testing.v1.TestService/EmptyCall"] + plan)
        #expect(result.exitCode == 64, "\(plan)")
    }
}
