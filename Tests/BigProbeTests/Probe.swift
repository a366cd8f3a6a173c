import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What one run of the `bigprobe` executable did.
struct ProbeResult {
    var exitCode: Int32
    var stdout: String
    var stderr: String

    /// The standard output as JSON.
    func json() throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(stdout.utf8))
        guard let dictionary = object as? [String: Any] else { throw ProbeTestError("not a JSON object: \(stdout)") }
        return dictionary
    }
}

/// Runs the built `bigprobe` executable as a child process, as a user would,
/// with its own configuration directory so no real token is read or written.
struct Probe {
    /// `XDG_CONFIG_HOME` and `HOME` of the runs.
    let configDirectory: String

    init() {
        configDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("bigprobe-config-\(UUID().uuidString)").path
    }

    /// Runs `bigprobe arguments…` with `input` on its standard input (a pipe,
    /// so never a terminal), and waits for it to exit (killing it after 60 s).
    func run(_ arguments: [String], input: String = "") async throws -> ProbeResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try Self.executable())
        process.arguments = arguments
        process.environment = [
            "XDG_CONFIG_HOME": configDirectory,
            "HOME": configDirectory,
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
        ]
        let (stdin, stdout, stderr) = (Pipe(), Pipe(), Pipe())
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        let (exits, exited) = AsyncStream.makeStream(of: Int32.self)
        process.terminationHandler = {
            exited.yield($0.terminationStatus)
            exited.finish()
        }
        try process.run()
        let watchdog = DispatchWorkItem {
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
        DispatchQueue.global().asyncAfter(deadline: .now() + 60, execute: watchdog)
        // Pipes are written and read off the Swift concurrency pool: the
        // server under test runs on it in this very process.
        DispatchQueue.global().async {
            stdin.fileHandleForWriting.write(Data(input.utf8))
            try? stdin.fileHandleForWriting.close()
        }
        async let output = Self.readAll(stdout)
        async let errors = Self.readAll(stderr)
        var exitCode: Int32 = -1
        for await code in exits { exitCode = code }
        watchdog.cancel()
        return ProbeResult(
            exitCode: exitCode,
            stdout: String(decoding: await output, as: UTF8.self),
            stderr: String(decoding: await errors, as: UTF8.self)
        )
    }

    private static func readAll(_ pipe: Pipe) async -> Data {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(returning: pipe.fileHandleForReading.readDataToEndOfFile())
            }
        }
    }

    /// The `bigprobe` executable, built next to the test binary.
    static func executable() throws -> String {
        var directory = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("bigprobe").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        throw ProbeTestError("the bigprobe executable was not built next to the tests")
    }
}

struct ProbeTestError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}
