import ChildProcess
import Foundation

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
    /// so never a terminal), and waits for it to exit (killing it after
    /// `limit`).
    func run(_ arguments: [String], input: String = "", killingAfter limit: Duration = .seconds(60)) async throws -> ProbeResult {
        let process = try ChildProcess(
            executable: try Self.executable(),
            arguments: arguments,
            environment: [
                "XDG_CONFIG_HOME": configDirectory,
                "HOME": configDirectory,
                "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
            ],
            input: Array(input.utf8),
            standardOutput: .capture,
            standardError: .capture
        )
        let termination = await process.wait(killingAfter: limit)
        return ProbeResult(
            exitCode: termination.code,
            stdout: String(decoding: await process.standardOutput(), as: UTF8.self),
            stderr: String(decoding: await process.standardError(), as: UTF8.self)
        )
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
