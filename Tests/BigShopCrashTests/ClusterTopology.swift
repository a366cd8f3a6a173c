import BigRPCTLS
import Foundation
import TLSTestSupport

/// The shop as docs/OPERATIONS.md "Across hosts" runs it, on one machine:
/// two gateways and every other service in a process of its own, each on a
/// host (a network namespace, ``ClusterNetwork``), with mutual TLS between
/// them from certificates made here, and one peers file for all.
struct ClusterTopology: Sendable {
    static let publicPort = 8080
    static let internalPort = 7071
    static let adminEmail = "admin@cluster.test"
    static let adminPassword = "admin-password-1"
    /// Hosts and the services of each, in address order from `.2`.
    static let layout: [(name: String, services: [String])] = [
        ("gateway-a", ["gateway"]), ("gateway-b", ["gateway"]), ("auth", ["auth"]), ("catalog", ["catalog"]), ("orders", ["orders"]),
        ("history", ["history"]), ("payments", ["payments"]), ("orchestrator", ["orchestrator"]), ("flashsale", ["flashsale"]),
    ]

    let network: ClusterNetwork
    /// The run's files: certificates, the peers file, each host's data.
    let directory: String
    let certificates: TestCertificates
    let hosts: [ClusterHost]

    var gateways: [ClusterHost] { hosts.filter { $0.services == ["gateway"] } }

    func host(_ name: String) -> ClusterHost {
        hosts.first { $0.name == name }!
    }

    /// Each database's directory, for ``ShopDatabases``.
    var databases: ShopDatabases {
        var directories: [String: String] = [:]
        for host in hosts where host.services != ["gateway"] {
            for service in host.services { directories[service] = host.dataDirectory }
        }
        return ShopDatabases(directory: directory, directories: directories)
    }

    /// Makes the network, the certificates and the peers file (nothing
    /// runs yet). `serveArguments` go to every process. On failure whatever
    /// was made is removed.
    ///
    /// - Parameters:
    ///   - layout: the hosts; several hosts may run the same service (its
    ///     replicas: the peers file lists each of their addresses).
    ///   - adminPort: when set, every process's admin listener (`/metrics`)
    ///     on its host's address and this port.
    ///   - prepare: runs once the bridge is up, with the network and the
    ///     index of the first host number the layout leaves free (for a host
    ///     of its own, e.g. a database server); returns arguments for every
    ///     process but the gateways.
    static func make(
        layout: [(name: String, services: [String])] = Self.layout, serveArguments: [String], adminPort: Int? = nil,
        prepare: (ClusterNetwork, Int) async throws -> [String] = { _, _ in [] }
    ) async throws -> ClusterTopology {
        let network = try await ClusterNetwork.make()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bigshop-cluster-\(network.prefix)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let certificates: TestCertificates
        do {
            certificates = try await TestCertificates.make()
        } catch {
            try? FileManager.default.removeItem(atPath: directory)
            throw error
        }
        do {
            try await network.createBridge()
            let serviceArguments = try await prepare(network, layout.count + 2)
            let probe = try await certificates.makeServiceCertificate("probe", services: ["gateway"])
            var peers: [String: [String]] = [:]
            var hosts: [ClusterHost] = []
            for (offset, entry) in layout.enumerated() {
                let index = offset + 2
                try await network.createHost(index)
                let address = network.address(index)
                let certificate = try await certificates.makeServiceCertificate(entry.name, services: entry.services)
                let isGateway = entry.services == ["gateway"]
                var arguments = [
                    "--services", entry.services.joined(separator: ","), "--data", directory + "/" + entry.name,
                    "--peers", directory + "/peers.json",
                    "--internal-tls-cert", certificate.certificate, "--internal-tls-key", certificate.key, "--internal-ca", certificates.caFile,
                ]
                if isGateway {
                    arguments += ["--host", address, "--port", String(publicPort)]
                } else {
                    arguments += ["--internal-host", address, "--internal-port", String(internalPort)] + serviceArguments
                    for service in entry.services { peers[service, default: []].append("\(address):\(internalPort)") }
                }
                if let adminPort { arguments += ["--admin-host", address, "--admin-port", String(adminPort)] }
                hosts.append(
                    ClusterHost(
                        name: entry.name, services: entry.services, namespace: network.namespace(index), address: address,
                        dataDirectory: directory + "/" + entry.name, arguments: arguments + serveArguments,
                        environment: ProcessInfo.processInfo.environment.merging(
                            ["BIGSHOP_ADMIN_EMAIL": adminEmail, "BIGSHOP_ADMIN_PASSWORD": adminPassword], uniquingKeysWith: { $1 }),
                        healthPort: isGateway ? publicPort : internalPort,
                        healthSecurity: isGateway
                            ? nil
                            : try TLSClientSecurity(
                                trustRootsFile: certificates.caFile, certificateChainFile: probe.certificate, privateKeyFile: probe.key,
                                requiredServerURI: "spiffe://bigshop/\(entry.services[0])")))
            }
            let peersJSON = try JSONSerialization.data(withJSONObject: peers, options: [.prettyPrinted, .sortedKeys])
            try peersJSON.write(to: URL(fileURLWithPath: directory + "/peers.json"))
            return ClusterTopology(network: network, directory: directory, certificates: certificates, hosts: hosts)
        } catch {
            await network.tearDown()
            certificates.remove()
            try? FileManager.default.removeItem(atPath: directory)
            throw error
        }
    }

    /// Starts every host's process at once and waits until each serves.
    func startAll() async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for host in hosts { group.addTask { try await host.start() } }
            try await group.waitForAll()
        }
    }

    /// SIGTERMs every process, gateways first; the hosts whose exit status was not 0.
    func stopAll() async -> [String: Int32] {
        var failed: [String: Int32] = [:]
        for host in gateways {
            let status = await host.terminate()
            if status != 0 { failed[host.name] = status }
        }
        await withTaskGroup(of: (String, Int32).self) { group in
            for host in hosts where !gateways.contains(where: { $0 === host }) {
                group.addTask { (host.name, await host.terminate()) }
            }
            for await (name, status) in group where status != 0 { failed[name] = status }
        }
        return failed
    }

    /// Kills every process and deletes the network and the certificates;
    /// the data only when `keepData` is false (a failed run keeps it to look at).
    func tearDown(keepData: Bool) async {
        for host in hosts { await host.kill9() }
        await network.tearDown()
        certificates.remove()
        if !keepData { try? FileManager.default.removeItem(atPath: directory) }
    }
}
