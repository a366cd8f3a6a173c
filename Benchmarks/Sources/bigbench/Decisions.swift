// Issue 5: reservation decisions per second in-process — the shop's lock-free
// ReservationRing vs a mutex-guarded counter vs one SQLite transaction per reserve.
import CSQLite3Bench
import FlashSaleRing
import Foundation
import Synchronization

/// Runs `body(thread)` on `threads` OS threads started together; returns the wall time.
func onThreads(_ threads: Int, _ body: @escaping @Sendable (Int) -> Void) -> Double {
    let ready = DispatchGroup()
    let done = DispatchGroup()
    let go = DispatchSemaphore(value: 0)
    for t in 0..<threads {
        ready.enter()
        done.enter()
        let thread = Thread {
            ready.leave()
            go.wait()
            body(t)
            done.leave()
        }
        thread.start()
    }
    ready.wait()
    let start = nowNs()
    for _ in 0..<threads { go.signal() }
    done.wait()
    return Double(nowNs() - start) / 1e9
}

final class SQLiteStock: @unchecked Sendable {
    let path: String
    init(directory: String) throws {
        path = directory + "/stock.sqlite"
        try? FileManager.default.removeItem(atPath: path)
        try? FileManager.default.removeItem(atPath: path + "-wal")
        try? FileManager.default.removeItem(atPath: path + "-shm")
        let db = open()
        exec(db, "PRAGMA journal_mode=WAL")
        exec(db, "CREATE TABLE stock (id INTEGER PRIMARY KEY, remaining INTEGER NOT NULL)")
        exec(db, "INSERT INTO stock VALUES (1, 1000000000)")
        sqlite3_close(db)
    }

    /// A connection as the shop opens them: WAL, synchronous=NORMAL, a busy timeout.
    func open() -> OpaquePointer {
        var db: OpaquePointer?
        guard sqlite3_open(path, &db) == SQLITE_OK, let db else { fatalError("sqlite3_open \(path)") }
        sqlite3_busy_timeout(db, 10_000)
        exec(db, "PRAGMA journal_mode=WAL")
        exec(db, "PRAGMA synchronous=NORMAL")
        return db
    }

    func exec(_ db: OpaquePointer, _ sql: String) {
        var error: UnsafeMutablePointer<CChar>?
        if sqlite3_exec(db, sql, nil, nil, &error) != SQLITE_OK {
            fatalError("sqlite: \(sql): \(error.map { String(cString: $0) } ?? "?")")
        }
    }

    /// `n` reserves, each its own transaction: BEGIN IMMEDIATE, a guarded decrement, COMMIT.
    func reserve(_ n: Int) -> Int {
        let db = open()
        defer { sqlite3_close(db) }
        var begin: OpaquePointer?
        var update: OpaquePointer?
        var commit: OpaquePointer?
        sqlite3_prepare_v2(db, "BEGIN IMMEDIATE", -1, &begin, nil)
        sqlite3_prepare_v2(db, "UPDATE stock SET remaining = remaining - 1 WHERE id = 1 AND remaining > 0", -1, &update, nil)
        sqlite3_prepare_v2(db, "COMMIT", -1, &commit, nil)
        defer {
            sqlite3_finalize(begin)
            sqlite3_finalize(update)
            sqlite3_finalize(commit)
        }
        var granted = 0
        for _ in 0..<n {
            while sqlite3_step(begin) == SQLITE_BUSY { sqlite3_reset(begin) }
            sqlite3_reset(begin)
            guard sqlite3_step(update) == SQLITE_DONE else { fatalError("update: \(String(cString: sqlite3_errmsg(db)))") }
            sqlite3_reset(update)
            granted += Int(sqlite3_changes(db))
            while sqlite3_step(commit) == SQLITE_BUSY { sqlite3_reset(commit) }
            sqlite3_reset(commit)
        }
        return granted
    }
}

func decisionBenchmarks(_ options: Options) throws {
    let rounds = options.int("rounds", 5)
    let directory = options.string("dir", NSTemporaryDirectory())
    let units = 1_000_000
    let sqlitePerThread = options.int("sqlite-ops", 3000)
    let sqlite = try SQLiteStock(directory: directory)

    // One round of each: every decision is a successful claim from a non-empty pool.
    func ringRound(_ threads: Int) throws -> Double {
        let ring = ReservationRing(capacity: units)
        try ring.add(UInt32(0)..<UInt32(units))
        let granted = SharedCounter()
        let seconds = onThreads(threads) { _ in
            var mine = 0
            while ring.tryClaim() != nil { mine += 1 }
            granted.value.wrappingAdd(mine, ordering: .relaxed)
        }
        precondition(granted.value.load(ordering: .relaxed) == units)
        return Double(units) / seconds
    }
    func mutexRound(_ threads: Int) -> Double {
        let remaining = Box(units)
        let granted = SharedCounter()
        let seconds = onThreads(threads) { _ in
            var mine = 0
            while remaining.withLock({ r in
                guard r > 0 else { return false }
                r -= 1
                return true
            }) { mine += 1 }
            granted.value.wrappingAdd(mine, ordering: .relaxed)
        }
        precondition(granted.value.load(ordering: .relaxed) == units)
        return Double(units) / seconds
    }
    func sqliteRound(_ threads: Int) -> Double {
        let granted = SharedCounter()
        let seconds = onThreads(threads) { _ in
            granted.value.wrappingAdd(sqlite.reserve(sqlitePerThread), ordering: .relaxed)
        }
        return Double(granted.value.load(ordering: .relaxed)) / seconds
    }

    var table = Table(
        title: "Flash sale: reservation decisions per second in-process (medians of \(rounds) alternating rounds)",
        header: ["threads", "ReservationRing", "Mutex counter", "SQLite txn per reserve", "ring ÷ mutex", "ring ÷ SQLite"]
    )
    for threads in [1, 2] {
        var rates: [[Double]] = [[], [], []]
        _ = try ringRound(threads)
        _ = mutexRound(threads)
        _ = sqliteRound(threads)
        for round in 0..<rounds {
            for offset in 0..<3 {
                let index = (round + offset) % 3
                switch index {
                case 0: rates[0].append(try ringRound(threads))
                case 1: rates[1].append(mutexRound(threads))
                default: rates[2].append(sqliteRound(threads))
                }
            }
        }
        table.rows.append([
            "\(threads)", fmt(median(rates[0])), fmt(median(rates[1])), fmt(median(rates[2])),
            ratio(median(zip(rates[0], rates[1]).map { $0 / $1 })),
            ratio(median(zip(rates[0], rates[2]).map { $0 / $1 })),
        ])
    }
    table.notes.append(
        "A decision is one successful claim from a non-empty pool of 1,000,000 units (ring: `tryClaim`, lock-free; mutex: `Synchronization.Mutex` around a counter; SQLite: BEGIN IMMEDIATE + guarded UPDATE + COMMIT per reserve, WAL, synchronous=NORMAL, one connection per thread)."
    )
    table.emit()
}
