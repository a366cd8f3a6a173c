import BigShopTestSupport
import ChildProcess
import Foundation
import Testing

@testable import BigShopStore

#if canImport(Glibc)
    import Glibc
#endif

@Suite("Crash safety", .timeLimit(.minutes(2)))
struct CrashSafetyTests {
    /// The `store-crash-helper` executable, built next to the test binary.
    static func helperPath() throws -> String {
        let testBinary = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var directory = testBinary.deletingLastPathComponent()
        // The test bundle may be a directory (…/X.xctest/…); walk up until the helper is found.
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("store-crash-helper").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        throw TestError(tag: 404)
    }

    static func acknowledgedIDs(in file: String) throws -> [Int] {
        let text = String(decoding: try Data(contentsOf: URL(fileURLWithPath: file)), as: UTF8.self)
        // Only complete lines count: an id is acknowledged once its whole line was written.
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        if !text.hasSuffix("\n") { lines.removeLast() }
        return lines.compactMap { Int($0) }
    }

    @Test(arguments: [300, 3_000])
    func acknowledgedWritesSurviveKill9(killAfter: Int) async throws {
        let helper = try Self.helperPath()
        try await withTemporaryDirectory { dir in
            let database = dir + "/crash.sqlite"
            let acks = dir + "/acks.txt"
            #expect(FileManager.default.createFile(atPath: acks, contents: nil))
            // `process` SIGKILLs the helper when it goes away, whatever happens below.
            let process = try ChildProcess(
                executable: helper,
                arguments: [database, "1000000", "64"],
                standardOutput: .appendToFile(acks)
            )

            // Wait (bounded) until enough writes were acknowledged, then SIGKILL mid-stream.
            let reached = await eventually(timeout: .seconds(30)) {
                let size = (try FileManager.default.attributesOfItem(atPath: acks)[.size] as? NSNumber)?.intValue ?? 0
                return size >= killAfter * 7  // ids are 1-7 characters plus newline
            }
            #expect(process.isRunning, "helper finished before it could be killed")
            process.send(SIGKILL)
            #expect(await process.wait(killingAfter: .seconds(10)) == .signalled(SIGKILL))
            #expect(reached)

            let acknowledged = try Self.acknowledgedIDs(in: acks)
            #expect(acknowledged.count >= killAfter / 2)

            let db = try await Database(path: database)
            let (integrity, stored) = try await db.read { conn -> (String, Set<Int>) in
                let integrity = try conn.queryOne("PRAGMA integrity_check")!.string(0)
                var ids = Set<Int>()
                try conn.forEachRow("SELECT id FROM acks") { ids.insert(try $0.int(0)) }
                return (integrity, ids)
            }
            #expect(integrity == "ok")
            let lost = acknowledged.filter { !stored.contains($0) }
            #expect(lost.isEmpty, "acknowledged but missing after kill -9: \(lost.prefix(20))")
            #expect(stored.count >= acknowledged.count)
            print("crash test: killed after \(acknowledged.count) acknowledged writes; \(stored.count) rows in the database; \(lost.count) lost")
            await db.close()
        }
    }
}
