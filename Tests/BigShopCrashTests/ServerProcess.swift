import BigRPC
import BigRPCNIO
import BigRPCProtos
import ChildProcess
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// `bigshop serve` as a child process on a fixed loopback port and data
/// directory, so a test can SIGKILL it and start it again on the same data.
final class ServerProcess: @unchecked Sendable {
    // @unchecked Sendable: `process` is replaced only by `start`/`kill`,
    // which the test calls from one task at a time.
    let port: Int
    let dataDirectory: String
    let extraArguments: [String]
    /// How the health checks of ``start()`` connect (TLS or plain).
    let clientSecurity: (any ClientConnectionSecurity)?
    /// The soft and hard limit on open descriptors to start with, if not the test's own.
    let descriptorLimit: Int?
    /// The port ``start()`` checks health on: the public ``port``, or the
    /// internal port of a process that runs no gateway.
    let healthPort: Int
    private var process: ChildProcess?

    static let adminEmail = "admin@crash.test"
    static let adminPassword = "admin-password-1"

    init(
        dataDirectory: String,
        extraArguments: [String] = [],
        clientSecurity: (any ClientConnectionSecurity)? = nil,
        descriptorLimit: Int? = nil,
        healthPort: Int? = nil
    ) throws {
        let port = try LoopbackPort.free()
        self.port = port
        self.healthPort = healthPort ?? port
        self.dataDirectory = dataDirectory
        self.extraArguments = extraArguments
        self.clientSecurity = clientSecurity
        self.descriptorLimit = descriptorLimit
    }

    /// The running server's process id.
    var processIdentifier: Int32? { process.map(\.processIdentifier) }

    /// What the server has logged so far.
    var log: String {
        (try? String(contentsOfFile: dataDirectory + "/server.log", encoding: .utf8)) ?? ""
    }

    /// Where the server's standard output and error go.
    var logFile: String { dataDirectory + "/server.log" }

    /// The `bigshop` executable, built next to the test binary.
    static func executable() throws -> String {
        var directory = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("bigshop").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        throw CrashTestError("the bigshop executable was not built next to the tests")
    }

    /// Starts the server and waits (up to 60 s) until it answers health checks.
    func start() async throws {
        let arguments =
            [
                "serve", "--port", String(port), "--data", dataDirectory,
                "--password-iterations", "1000", "--rate-limit", "off", "--log-level", "warning",
                // A loaded test machine can take longer than the 5 s default to
                // send a connection's first call; the hostile tests set their own.
                "--connection-setup-timeout", "60",
            ] + extraArguments
        var environment = ProcessInfo.processInfo.environment
        environment["BIGSHOP_ADMIN_EMAIL"] = Self.adminEmail
        environment["BIGSHOP_ADMIN_PASSWORD"] = Self.adminPassword
        let log = logFile
        let process =
            if let descriptorLimit {
                // The shell sets both limits, so the server cannot raise its own.
                try ChildProcess(
                    executable: "/bin/sh",
                    arguments: ["-c", "ulimit -n \(descriptorLimit) && exec \"$0\" \"$@\"", try Self.executable()] + arguments,
                    environment: environment,
                    standardOutput: .appendToFile(log),
                    standardError: .appendToFile(log)
                )
            } else {
                try ChildProcess(
                    executable: try Self.executable(),
                    arguments: arguments,
                    environment: environment,
                    standardOutput: .appendToFile(log),
                    standardError: .appendToFile(log)
                )
            }
        self.process = process
        var configuration = BigRPCClientTransport.Configuration()
        configuration.security = clientSecurity
        let transport = BigRPCClientTransport(host: "127.0.0.1", port: healthPort, configuration: configuration)
        let health = Bigrpc_Health_V1_Health.Client(wrapping: RPCClient(transport: transport))
        defer { Task { await transport.close() } }
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            guard process.isRunning else { throw CrashTestError("bigshop exited at start; see \(log)") }
            if (try? await health.check(.init(), options: CallOptions(timeout: .seconds(1)))) != nil { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw CrashTestError("bigshop did not answer within 60 s; see \(log)")
    }

    /// SIGKILL: no shutdown of any kind.
    func kill9() async {
        guard let process, process.isRunning else { return }
        process.send(SIGKILL)
        _ = await process.wait(killingAfter: .seconds(30))
    }

    /// SIGTERM, without waiting: a graceful shutdown begins.
    func sendTerminate() {
        process?.send(SIGTERM)
    }

    /// Waits for the process to exit; returns its exit status (SIGKILLed
    /// after 30 s).
    func waitForExit() async -> Int32 {
        guard let process else { return 0 }
        return await process.wait(killingAfter: .seconds(30)).code
    }

    /// SIGTERM: a graceful shutdown; returns the exit status (SIGKILLed
    /// after 30 s).
    @discardableResult
    func terminate() async -> Int32 {
        guard let process else { return 0 }
        process.send(SIGTERM)
        return await process.wait(killingAfter: .seconds(30)).code
    }
}

struct CrashTestError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
