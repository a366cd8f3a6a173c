import BigShopStore

#if canImport(Glibc)
    import Glibc
#endif

// Writes rows with `writeBatched` as fast as it can and prints the id of each row whose
// write was acknowledged (returned successfully) to stdout, one per line, written with
// write(2) right after the acknowledgement. The crash test kills it with SIGKILL and checks
// that every printed id is in the database.
//
// Usage: store-crash-helper <database path> [max rows] [concurrency]
// Stops by itself after `max rows` (default 200000) or 60 seconds.

/// Writes `text` and a newline to file descriptor `fd` with write(2) (no stdio buffering).
func writeLine(_ text: String, to fd: Int32) {
    let line = Array("\(text)\n".utf8)
    line.withUnsafeBytes { raw in
        var offset = 0
        while offset < raw.count {
            let written = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
            if written <= 0 { exit(3) }
            offset += written
        }
    }
}

let arguments = CommandLine.arguments
guard arguments.count >= 2 else {
    writeLine("usage: store-crash-helper <database path> [max rows] [concurrency]", to: 2)
    exit(2)
}
let path = arguments[1]
let maxRows = arguments.count > 2 ? Int(arguments[2]) ?? 200_000 : 200_000
let concurrency = arguments.count > 3 ? Int(arguments[3]) ?? 64 : 64
let deadline = ContinuousClock.now + .seconds(60)

let db = try await Database(path: path)
try await db.migrate(
    Migrator(
        namespace: "crash",
        migrations: [
            Migration(
                version: 1, name: "create acks",
                sql: """
                    CREATE TABLE acks (id INTEGER PRIMARY KEY, payload TEXT NOT NULL)
                    """)
        ]))

// Ready marker for the test (not an id).
writeLine("ready", to: 2)

try await withThrowingTaskGroup(of: Void.self) { group in
    for worker in 0..<concurrency {
        group.addTask {
            var id = worker + 1
            while id <= maxRows && ContinuousClock.now < deadline {
                let rowID = id
                try await db.writeBatched { conn in
                    try conn.run(
                        "INSERT INTO acks(id, payload) VALUES (?, ?)",
                        .integer(Int64(rowID)), .text("row \(rowID) " + String(repeating: "x", count: 100)))
                }
                writeLine(String(rowID), to: 1)
                id += concurrency
            }
        }
    }
    try await group.waitForAll()
}
await db.close()
