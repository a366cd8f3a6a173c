import BigShopServerTestSupport
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The `bigshop-example` executable, run as a user would against a real server.
@Suite(.timeLimit(.minutes(2)))
struct ExampleTests {
    @Test func theExampleBuysSomethingAndSeesItConfirmed() async throws {
        try await withDemoShop { shop in
            let process = Process()
            process.executableURL = URL(fileURLWithPath: try Self.executable())
            process.environment = ["BIGSHOP_HOST": "127.0.0.1", "BIGSHOP_PORT": String(shop.port)]
            let output = Pipe()
            process.standardOutput = output
            process.standardError = output
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
            // Read off the Swift concurrency pool, which the server uses.
            let text = await withCheckedContinuation { continuation in
                DispatchQueue.global().async {
                    continuation.resume(returning: String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
                }
            }
            var status: Int32 = -1
            for await code in exits { status = code }
            watchdog.cancel()

            #expect(status == 0, "\(text)")
            for step in ["registered ", "signed in", "browsing: 5 products", "cart: 1 × ", "checked out: order ", "paid by card: ", "is CONFIRMED", "signed out"] {
                #expect(text.contains(step), "missing \"\(step)\" in:\n\(text)")
            }
        }
    }

    /// The example, built next to the test binary.
    static func executable() throws -> String {
        var directory = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("bigshop-example").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        throw ExampleNotBuilt()
    }

    struct ExampleNotBuilt: Error {}
}
