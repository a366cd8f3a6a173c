// Issue 11: the cost of synchronous=FULL (an fsync per commit) against
// synchronous=NORMAL on the shop's store, with and without group commit.
import BigShopStore
import Foundation

/// Writes per second into BigShopStore databases, NORMAL and FULL side by
/// side: one exclusive transaction per write (`Database.write`) and
/// group-committed writes (`Database.writeBatched`, what the shop's hot
/// paths use), from 1 to 64 concurrent writers.
func durabilityBenchmarks(_ options: Options) async throws {
    let rounds = options.int("rounds", 5)
    let seconds = options.double("seconds", 1.0)
    let directory = options.string("dir", NSTemporaryDirectory()) + "/durability-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: directory) }

    let modes: [SynchronousMode] = [.normal, .full]
    var databases: [SynchronousMode: Database] = [:]
    for mode in modes {
        let database = try await Database(
            path: "\(directory)/\(mode.rawValue.lowercased()).sqlite",
            configuration: DatabaseConfiguration(synchronous: mode))
        try await database.write { connection in
            try connection.execute("CREATE TABLE saga_log (id INTEGER PRIMARY KEY, order_id TEXT NOT NULL, state BLOB NOT NULL)")
        }
        databases[mode] = database
    }

    struct Workload {
        var name: String
        var writers: Int
        var batched: Bool
    }
    let workloads = [
        Workload(name: "one transaction per write", writers: 1, batched: false),
        Workload(name: "one transaction per write", writers: 64, batched: false),
        Workload(name: "group commit", writers: 1, batched: true),
        Workload(name: "group commit", writers: 8, batched: true),
        Workload(name: "group commit", writers: 64, batched: true),
    ]
    // A saga-log-sized row: an order id and ~200 bytes of state.
    let state = [UInt8](repeating: 0x5A, count: 200)

    /// Writes/s and writes per commit of one round of `workload` on `database`.
    func round(_ workload: Workload, _ database: Database) async throws -> (rate: Double, perCommit: Double) {
        let before = database.metrics.committedTransactions
        let deadline = nowNs() + UInt64(seconds * 1e9)
        let start = nowNs()
        let written = try await withThrowingTaskGroup(of: Int.self) { group in
            for writer in 0..<workload.writers {
                group.addTask {
                    var count = 0
                    while nowNs() < deadline {
                        let orderID = "ord_\(writer)_\(count)"
                        let insert: @Sendable (Connection) throws -> Void = { connection in
                            try connection.run(
                                "INSERT INTO saga_log (order_id, state) VALUES (?, ?)", .text(orderID), .blob(state))
                        }
                        if workload.batched {
                            try await database.writeBatched(insert)
                        } else {
                            try await database.write(insert)
                        }
                        count += 1
                    }
                    return count
                }
            }
            return try await group.reduce(0, +)
        }
        let elapsed = Double(nowNs() - start) / 1e9
        let commits = max(1, database.metrics.committedTransactions - before)
        return (Double(written) / elapsed, Double(written) / Double(commits))
    }

    var table = Table(
        title: "Durability: writes/s into BigShopStore, synchronous NORMAL vs FULL (medians of \(rounds) alternating rounds of \(fmt(seconds, 1)) s)",
        header: ["writes", "writers", "NORMAL writes/s", "FULL writes/s", "FULL ÷ NORMAL", "writes per commit (FULL)"]
    )
    for workload in workloads {
        var rates: [SynchronousMode: [Double]] = [:]
        var perCommit: [Double] = []
        for index in 0..<rounds {
            // Alternate which mode goes first, round by round.
            for mode in index.isMultiple(of: 2) ? modes : modes.reversed() {
                guard let database = databases[mode] else { continue }
                let result = try await round(workload, database)
                rates[mode, default: []].append(result.rate)
                if mode == .full { perCommit.append(result.perCommit) }
            }
            note("durability: \(workload.name), \(workload.writers) writers, round \(index + 1)/\(rounds)")
        }
        let normal = rates[.normal] ?? []
        let full = rates[.full] ?? []
        table.rows.append([
            workload.name, "\(workload.writers)", fmt(median(normal)), fmt(median(full)),
            ratio(median(zip(full, normal).map { $0 / $1 })), fmt(median(perCommit), 1),
        ])
    }
    let filesystem =
        (try? String(contentsOfFile: "/proc/mounts", encoding: .utf8))
        .flatMap { mounts in mountType(of: directory, mounts: mounts) } ?? "unknown"
    table.notes.append(
        "Each write inserts one ~220-byte row (a saga-log row). Files on \(filesystem); "
            + "FULL fsyncs the WAL at every commit, so its cost is the disk's fsync latency, "
            + "shared by every write of a group commit.")
    table.emit()
    for database in databases.values { await database.close() }
}

/// The filesystem type of the mount holding `path`, from `/proc/mounts`.
private func mountType(of path: String, mounts: String) -> String? {
    var best: (mountPoint: String, type: String)?
    for line in mounts.split(separator: "\n") {
        let fields = line.split(separator: " ")
        guard fields.count >= 3 else { continue }
        let mountPoint = String(fields[1])
        let prefix = mountPoint.hasSuffix("/") ? mountPoint : mountPoint + "/"
        guard path == mountPoint || path.hasPrefix(prefix) else { continue }
        if mountPoint.count > best?.mountPoint.count ?? -1 {
            best = (mountPoint, String(fields[2]))
        }
    }
    return best?.type
}
