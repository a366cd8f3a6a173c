import ChildProcess
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `bigprobe` against a server that is not the shop: the `bigrpc-interop`
/// conformance server, run as its own process. Everything bigprobe knows of
/// its types comes from the server's reflection.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct InteropServerTests {
    let probe = Probe()

    @Test func listDescribeCallAndBenchTheConformanceService() async throws {
        try await withInteropServer { endpoint in
            let list = try await probe.run(["list", endpoint])
            #expect(list.stdout == "bigrpc.health.v1.Health\nbigrpc.reflection.v1.Reflection\nbigrpc.testing.v1.TestService\n")

            let methods = try await probe.run(["list", endpoint, "bigrpc.testing.v1.TestService"])
            #expect(methods.stdout.contains("bigrpc.testing.v1.TestService/FullDuplexCall\n"))

            let describe = try await probe.run(["describe", endpoint, "bigrpc.testing.v1.SimpleRequest"])
            #expect(describe.stdout.contains("  bigrpc.testing.v1.EchoStatus response_status = 3;\n"), "\(describe.stderr)")

            let call = try await probe.run([
                "call", endpoint, "bigrpc.testing.v1.TestService/UnaryCall", "-d", #"{"responseSize": 3}"#, "--compact",
            ])
            #expect(call.exitCode == 0, "\(call.stderr)")
            #expect(call.stdout == #"{"payload":"AAAA"}"# + "\n")

            let bench = try await probe.run([
                "bench", endpoint, "bigrpc.testing.v1.TestService/EmptyCall", "-n", "5", "--format", "json",
            ])
            #expect(try bench.json()["statusCodes"] as? [String: Int] == ["OK": 5])

            let unknown = try await probe.run(["describe", endpoint, "bigshop.catalog.v1.Product"])
            #expect(unknown.exitCode == 64)
        }
    }

    /// Runs `bigrpc-interop server` on a free loopback port until `body` returns.
    private func withInteropServer(_ body: (String) async throws -> Void) async throws {
        let port = try LoopbackPort.free()
        let server = try ChildProcess(
            executable: URL(fileURLWithPath: try Probe.executable())
                .deletingLastPathComponent().appendingPathComponent("bigrpc-interop").path,
            arguments: ["server", "--port", "\(port)"]
        )
        do {
            try await probeReadyServer(port: port, body)
        } catch {
            await Self.stop(server)
            throw error
        }
        await Self.stop(server)
    }

    /// SIGTERM, then waits for the exit (SIGKILL after 30 s).
    private static func stop(_ server: ChildProcess) async {
        server.send(SIGTERM)
        _ = await server.wait(killingAfter: .seconds(30))
    }

    private func probeReadyServer(port: Int, _ body: (String) async throws -> Void) async throws {
        let endpoint = "127.0.0.1:\(port)"
        var ready = false
        for _ in 0..<100 where !ready {
            ready = try await probe.run(["health", endpoint, "--max-time", "1"]).exitCode == 0
            if !ready { try await Task.sleep(for: .milliseconds(100)) }
        }
        try #require(ready, "bigrpc-interop did not start on \(endpoint)")
        try await body(endpoint)
    }
}
