import ChildProcess
import Foundation
import Testing

/// `/readyz` of a gateway-only `bigshop serve` whose services run in another
/// process (`--services`, `--peers`), both real processes on loopback: not
/// ready while the services' process is down, ready once it serves, not
/// ready again once it is killed. The gateway's `/metrics` shows its
/// connections to them come and go (`rpc_client_connections`).
@Suite(.serialized, .timeLimit(.minutes(3)))
struct RemoteReadinessTests {
    static let backendServices = ["auth", "catalog", "orders", "history", "payments", "orchestrator", "flashsale"]
    /// What a gateway calls: the services with public methods (the
    /// orchestrator is reached only through them), in `/readyz`'s order.
    static let gatewayDependencies = ["auth", "catalog", "flashsale", "history", "orders", "payments"]

    @Test func aGatewayIsReadyOnlyWhileItsRemoteServicesAreUp() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bigshop-readyz-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory + "/gateway", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: directory + "/backend", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let internalPort = try LoopbackPort.free()
        let adminPort = try LoopbackPort.free()
        let peers = Dictionary(uniqueKeysWithValues: Self.backendServices.map { ($0, ["127.0.0.1:\(internalPort)"]) })
        try JSONSerialization.data(withJSONObject: peers).write(to: URL(fileURLWithPath: directory + "/peers.json"))

        let gateway = try ServerProcess(
            dataDirectory: directory + "/gateway",
            extraArguments: ["--services", "gateway", "--peers", directory + "/peers.json", "--admin-port", String(adminPort)])
        let backend = try ServerProcess(
            dataDirectory: directory + "/backend",
            extraArguments: ["--services", Self.backendServices.joined(separator: ","), "--internal-port", String(internalPort)],
            healthPort: internalPort)
        try await gateway.start()
        var stopped = false
        defer {
            if !stopped {
                Task {
                    await gateway.kill9()
                    await backend.kill9()
                }
            }
        }

        // Nothing listens on the peers' address: not ready, each remote service named.
        let down = try await readyz(adminPort, until: { $0.status == 503 })
        #expect(down.status == 503)
        #expect(down.body == Self.gatewayDependencies.map { "\($0): no peer reachable\n" }.joined(), "\(down.body)")
        #expect(try await connections(adminPort, to: "orders") == 0)

        // The services start: ready, with a connection to each remote part.
        try await backend.start()
        let up = try await readyz(adminPort, until: { $0.status == 200 })
        #expect(up.status == 200 && up.body == "ready\n", "\(up.body)")
        #expect(try await connections(adminPort, to: "orders") == 1)

        // The services' process dies: not ready again, its connections gone.
        await backend.kill9()
        let lost = try await readyz(adminPort, until: { $0.status == 503 })
        #expect(lost.status == 503 && lost.body.contains("orders: no peer reachable"), "\(lost.body)")
        var open: Double?
        for _ in 0..<100 {
            open = try await connections(adminPort, to: "orders")
            if open == 0 { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(open == 0)

        stopped = true
        #expect(await gateway.terminate() == 0)
    }

    /// `/readyz`, asked every 100 ms until `condition` holds of the answer,
    /// for at most 20 s (health checks run every second; a lost peer may
    /// take a keepalive timeout to notice); the last answer.
    private func readyz(_ port: Int, until condition: (HTTPGet.Response) -> Bool) async throws -> HTTPGet.Response {
        var response = try await HTTPGet.get(port: port, "/readyz")
        for _ in 0..<200 where !condition(response) {
            try await Task.sleep(for: .milliseconds(100))
            response = try await HTTPGet.get(port: port, "/readyz")
        }
        return response
    }

    /// The gateway's open connections to the peers of `target`, as `/metrics` says.
    private func connections(_ port: Int, to target: String) async throws -> Double? {
        PrometheusText(try await HTTPGet.get(port: port, "/metrics").body).value("rpc_client_connections", ["target": target])
    }
}
