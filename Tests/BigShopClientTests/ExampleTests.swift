import BigShopServerTestSupport
import ChildProcess
import Foundation
import Testing

/// The `bigshop-example` executable, run as a user would against a real server.
@Suite(.timeLimit(.minutes(2)))
struct ExampleTests {
    @Test func theExampleBuysSomethingAndSeesItConfirmed() async throws {
        try await withDemoShop { shop in
            let process = try ChildProcess(
                executable: try Self.executable(),
                arguments: [],
                environment: ["BIGSHOP_HOST": "127.0.0.1", "BIGSHOP_PORT": String(shop.port)],
                standardOutput: .capture,
                standardError: .capture
            )
            let status = await process.wait(killingAfter: .seconds(60)).code
            let text = String(decoding: await process.standardOutput() + process.standardError(), as: UTF8.self)

            #expect(status == 0, "\(text)")
            for step in [
                "registered ", "signed in", "browsing: 5 products", "cart: 1 × ", "checked out: order ", "paid by card: ", "is CONFIRMED", "signed out",
            ] {
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
