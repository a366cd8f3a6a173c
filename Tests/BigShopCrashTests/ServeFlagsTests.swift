import ChildProcess
import Foundation
import Testing

/// The flags of `bigshop serve` for the orchestrator's `soleInstance` and
/// the gateways' admission: parsed by the executable itself, bad values
/// refused before anything is opened.
@Suite(.timeLimit(.minutes(3)))
struct ServeFlagsTests {
    @Test func badValuesFailTheStartWithAClearMessage() async throws {
        let data = NSTemporaryDirectory() + "bigshop-flags-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: data) }
        let cases: [([String], String)] = [
            (["--orchestrator-sole-instance", "maybe"], "orchestrator-sole-instance"),
            (["--admission-max-queued=-1"], "admission.maxQueued (--admission-max-queued) must be between 0 and 1000000, got -1"),
            (["--admission-min-in-flight", "0"], "admission.minimumInFlight (--admission-min-in-flight) must be between 1"),
            (
                ["--admission-retry-after-min-ms", "900", "--admission-retry-after-max-ms", "100"],
                "admission.retryAfterMaxMs (--admission-retry-after-max-ms) must be between 900"
            ),
            (["--admission-feed-stale-after", "0.5"], "admission.feedStaleAfterSeconds (--admission-feed-stale-after) must be more than 1"),
            (["--admission-max-wait", "0"], "admission.maxWaitSeconds (--admission-max-wait) must be more than 0"),
        ]
        for (arguments, expected) in cases {
            let outcome = try await ServeTLSTests.serve(["--data", data] + arguments)
            #expect(outcome.exitCode == 64, "\(arguments): \(outcome.output)")
            #expect(outcome.output.contains(expected), "\(arguments): \(outcome.output)")
        }
        #expect(!FileManager.default.fileExists(atPath: data), "the databases were opened despite a bad flag")
    }

    /// Good values start the shop (health answers), and the process stops
    /// cleanly on SIGTERM.
    @Test func goodValuesServe() async throws {
        let data = NSTemporaryDirectory() + "bigshop-flags-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: data) }
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        let server = try ServerProcess(
            dataDirectory: data,
            extraArguments: [
                "--orchestrator-sole-instance", "off", "--admission-max-queued", "0", "--admission-max-wait", "0.5",
                "--admission-retry-after-min-ms", "100", "--admission-retry-after-max-ms", "100", "--admission-max-campaigns", "1",
                "--admission-in-flight-per-unit", "0", "--admission-min-in-flight", "1", "--admission-in-flight-when-unknown", "1",
                "--admission-feed-stale-after", "3", "--admission-drop-opening-margin", "0", "--admission-idle-after", "30",
            ])
        try await server.start()
        #expect(await server.terminate() == 0, "\(server.log)")
    }
}
