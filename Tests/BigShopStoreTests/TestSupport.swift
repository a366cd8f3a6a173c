import BigShopTestSupport
import Foundation
import Synchronization
import Testing

@testable import BigShopStore

/// Runs `body` with a fresh directory under the system temp dir, removed afterwards.
func withTemporaryDirectory<T>(_ body: (String) async throws -> T) async throws -> T {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("bigshop-store-tests-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: url) }
    return try await body(url.path)
}

/// A thread-safe flag and counter for coordinating test bodies running on database threads.
final class Probe: Sendable {
    let flag = Atomic<Bool>(false)
    let counter = Atomic<Int>(0)

    func set() { flag.store(true, ordering: .sequentiallyConsistent) }
    var isSet: Bool { flag.load(ordering: .sequentiallyConsistent) }
    @discardableResult
    func increment() -> Int { counter.add(1, ordering: .sequentiallyConsistent).newValue }
    var count: Int { counter.load(ordering: .sequentiallyConsistent) }
}

/// Holds the writer thread busy (inside a `write` body) until `release()` is called, so
/// that tests can queue requests behind it deterministically.
final class WriterBlocker: Sendable {
    private let entered = Probe()
    private let gate = DispatchSemaphore(value: 0)
    private let task: Task<Void, any Error>

    init(_ database: Database) async throws {
        let entered = self.entered
        let gate = self.gate
        task = Task {
            try await database.write { _ in
                entered.set()
                // Bounded: the test releases it long before this times out.
                _ = gate.wait(timeout: .now() + 30)
            }
        }
        let started = await eventually { entered.isSet }
        #expect(started, "writer blocker did not start")
    }

    func release() async throws {
        gate.signal()
        try await task.value
    }
}

struct TestError: Error, Equatable {
    let tag: Int
}

/// Opens a database at `dir/name` with a test-friendly configuration.
func openDatabase(
    _ dir: String, _ name: String = "test.sqlite",
    configuration: DatabaseConfiguration = DatabaseConfiguration()
) async throws -> Database {
    try await Database(path: dir + "/" + name, configuration: configuration)
}
