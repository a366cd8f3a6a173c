import ChildProcess
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Network namespaces on this machine standing in for hosts: a bridge in the
/// root namespace, and per host a namespace whose `eth0` is one end of a
/// veth pair, the other end on the bridge. Every host and the root namespace
/// (the bridge's address, where the test's shoppers are) share one /24.
///
/// Every name starts with ``prefix``, unique per run, so that
/// `scripts/cluster-test` can delete whatever a killed test left behind.
struct ClusterNetwork: Sendable {
    /// Starts every namespace and interface name of the run (at most 8 characters).
    let prefix: String
    /// The first three octets of the run's /24, e.g. `10.213.77`.
    let subnet: String

    /// The bridge, in the root namespace; its address is `<subnet>.1`.
    var bridge: String { "\(prefix)br" }
    /// The root namespace's address on the bridge.
    var rootAddress: String { "\(subnet).1" }

    static let ip = "/usr/sbin/ip"

    /// A run prefix and a /24 not used on this machine. `BIGSHOP_CLUSTER_PREFIX`
    /// (set by scripts/cluster-test, which cleans up after it) wins.
    static func make() async throws -> ClusterNetwork {
        let environment = ProcessInfo.processInfo.environment
        let prefix =
            environment["BIGSHOP_CLUSTER_PREFIX"].flatMap { $0.isEmpty ? nil : String($0.prefix(8)) }
            ?? "bsc" + String(UInt32.random(in: 0..<0xFFFFF), radix: 16)
        let used = try await run(["-4", "-o", "addr", "show"])
        for _ in 0..<50 {
            let subnet = "10.213.\(Int.random(in: 1...254))"
            if !used.contains(" \(subnet).") { return ClusterNetwork(prefix: prefix, subnet: subnet) }
        }
        throw CrashTestError("no free 10.213.x.0/24 subnet for the cluster")
    }

    /// Whether network namespaces can be made here; the reason if not.
    static func unavailableReason() async -> String? {
        let probe = "bscprobe\(Int.random(in: 0..<1000))"
        do {
            _ = try await run(["netns", "add", probe])
            _ = try? await run(["netns", "del", probe])
            return nil
        } catch {
            return "\(error)"
        }
    }

    /// Makes the bridge, with the root namespace's address.
    func createBridge() async throws {
        try await Self.run(["link", "add", bridge, "type", "bridge"])
        try await Self.run(["addr", "add", "\(rootAddress)/24", "dev", bridge])
        try await Self.run(["link", "set", bridge, "up"])
    }

    /// The namespace of host number `index` (from 2; 1 is the root namespace).
    func namespace(_ index: Int) -> String { "\(prefix)h\(index)" }

    /// The address of host number `index`.
    func address(_ index: Int) -> String { "\(subnet).\(index)" }

    /// Makes host `index`'s namespace, its veth pair on the bridge, its
    /// address, and brings up its `lo` and `eth0`.
    func createHost(_ index: Int) async throws {
        let namespace = namespace(index)
        let rootEnd = "\(prefix)v\(index)"
        try await Self.run(["netns", "add", namespace])
        try await Self.run(["link", "add", rootEnd, "type", "veth", "peer", "name", "eth0", "netns", namespace])
        try await Self.run(["link", "set", rootEnd, "master", bridge, "up"])
        try await Self.run(["-n", namespace, "addr", "add", "\(address(index))/24", "dev", "eth0"])
        try await Self.run(["-n", namespace, "link", "set", "lo", "up"])
        try await Self.run(["-n", namespace, "link", "set", "eth0", "up"])
    }

    /// Deletes every namespace and link of the run, whatever state it is
    /// in (each step's failure is ignored). Processes still in a namespace
    /// are SIGKILLed first.
    func tearDown() async {
        let namespaces = ((try? await Self.run(["netns", "list"])) ?? "")
            .split(separator: "\n").compactMap { $0.split(separator: " ").first.map(String.init) }
            .filter { $0.hasPrefix(prefix) }
        for namespace in namespaces {
            let pids = ((try? await Self.run(["netns", "pids", namespace])) ?? "").split(separator: "\n").compactMap { Int32($0) }
            for pid in pids { kill(pid, SIGKILL) }
            _ = try? await Self.run(["netns", "del", namespace])
        }
        let links = ((try? await Self.run(["-o", "link", "show"])) ?? "")
            .split(separator: "\n")
            .compactMap { $0.split(separator: ":").dropFirst().first?.trimmingCharacters(in: .whitespaces) }
            .map { $0.split(separator: "@").first.map(String.init) ?? $0 }
            .filter { $0.hasPrefix(prefix) }
        for link in links { _ = try? await Self.run(["link", "del", link]) }
    }

    /// Runs `ip arguments…` and returns its output; throws with its errors
    /// when it fails.
    @discardableResult
    static func run(_ arguments: [String]) async throws -> String {
        let process = try ChildProcess(executable: ip, arguments: arguments, standardOutput: .capture, standardError: .capture)
        let termination = await process.wait(killingAfter: .seconds(20))
        let output = String(decoding: await process.standardOutput(), as: UTF8.self)
        guard termination.code == 0 else {
            let errors = String(decoding: await process.standardError(), as: UTF8.self)
            throw CrashTestError("ip \(arguments.joined(separator: " ")) failed (\(termination)): \(errors)")
        }
        return output
    }
}
