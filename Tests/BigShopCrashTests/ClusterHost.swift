import BigRPC
import BigRPCNIO
import BigRPCProtos
import BigRPCTLS
import ChildProcess
import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// One host of the cluster: a network namespace running one `bigshop serve`
/// (started through `ip netns exec`, which becomes the server process), with
/// its own data directory, so that a test can SIGKILL it and start it again
/// on the same address and data.
final class ClusterHost: Sendable {
    /// The host's name, e.g. `gateway-a` or `orders`.
    let name: String
    /// The services its process runs.
    let services: [String]
    let namespace: String
    let address: String
    let dataDirectory: String
    /// `bigshop serve`'s arguments.
    let arguments: [String]
    let environment: [String: String]
    /// How ``start()`` checks that the process serves: its public port
    /// (gateways) or its internal port with a service certificate.
    let healthPort: Int
    let healthSecurity: (any ClientConnectionSecurity)?
    private let process = Mutex<ChildProcess?>(nil)

    init(
        name: String, services: [String], namespace: String, address: String, dataDirectory: String, arguments: [String],
        environment: [String: String], healthPort: Int, healthSecurity: (any ClientConnectionSecurity)?
    ) {
        self.name = name
        self.services = services
        self.namespace = namespace
        self.address = address
        self.dataDirectory = dataDirectory
        self.arguments = arguments
        self.environment = environment
        self.healthPort = healthPort
        self.healthSecurity = healthSecurity
    }

    var logFile: String { dataDirectory + "/server.log" }

    /// The last lines the server logged.
    func logTail(_ lines: Int = 15) -> String {
        let text = (try? String(contentsOfFile: logFile, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").suffix(lines).joined(separator: "\n")
    }

    var isRunning: Bool { process.withLock { $0?.isRunning ?? false } }

    /// The server's process id (`ip netns exec` became the server).
    var processIdentifier: Int32? { process.withLock { $0?.processIdentifier } }

    /// Starts the process and waits (up to 60 s) until it answers health checks.
    func start() async throws {
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        let child = try ChildProcess(
            executable: ClusterNetwork.ip,
            arguments: ["netns", "exec", namespace, try ServerProcess.executable(), "serve"] + arguments,
            environment: environment,
            standardOutput: .appendToFile(logFile),
            standardError: .appendToFile(logFile)
        )
        process.withLock { $0 = child }
        var configuration = BigRPCClientTransport.Configuration()
        configuration.security = healthSecurity
        configuration.connectTimeout = .seconds(1)
        let transport = BigRPCClientTransport(host: address, port: healthPort, configuration: configuration)
        let health = Bigrpc_Health_V1_Health.Client(wrapping: RPCClient(transport: transport))
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            guard child.isRunning else {
                await transport.close()
                throw CrashTestError("\(name) exited at start: \(logTail())")
            }
            if let answer = try? await health.check(.init(), options: CallOptions(timeout: .seconds(1))), answer.status == .serving {
                await transport.close()
                return
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        await transport.close()
        throw CrashTestError("\(name) did not answer within 60 s: \(logTail())")
    }

    /// SIGKILL: no shutdown of any kind.
    func kill9() async {
        guard let child = process.withLock({ $0 }), child.isRunning else { return }
        child.send(SIGKILL)
        _ = await child.wait(killingAfter: .seconds(30))
    }

    /// SIGTERM: a graceful shutdown; the exit status (SIGKILLed after 30 s).
    @discardableResult
    func terminate() async -> Int32 {
        guard let child = process.withLock({ $0 }) else { return 0 }
        child.send(SIGTERM)
        return await child.wait(killingAfter: .seconds(30)).code
    }
}
