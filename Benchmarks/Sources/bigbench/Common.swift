import CMallocCounter
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// `--key value` options and `--flag` flags.
struct Options {
    private var values: [String: String] = [:]
    private var flags: Set<String> = []

    init(_ arguments: ArraySlice<String>) {
        var rest = arguments[...]
        while let first = rest.popFirst() {
            guard first.hasPrefix("--") else { continue }
            let key = String(first.dropFirst(2))
            if let next = rest.first, !next.hasPrefix("--") {
                values[key] = next
                rest = rest.dropFirst()
            } else {
                flags.insert(key)
            }
        }
    }

    func string(_ key: String, _ fallback: String) -> String { values[key] ?? fallback }
    func int(_ key: String, _ fallback: Int) -> Int { values[key].flatMap { Int($0) } ?? fallback }
    func double(_ key: String, _ fallback: Double) -> Double { values[key].flatMap { Double($0) } ?? fallback }
    func has(_ flag: String) -> Bool { flags.contains(flag) }
}

/// Monotonic nanoseconds.
@inline(__always)
func nowNs() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}

/// Milliseconds since the epoch (the shop's clock).
func wallMs() -> Int64 {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
}

func mallocs() -> UInt64 { bench_malloc_count() }

func median(_ values: [Double]) -> Double {
    guard !values.isEmpty else { return .nan }
    let sorted = values.sorted()
    let mid = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

/// Resident set size of a process, in bytes, from /proc.
func residentBytes(pid: Int32) -> Int {
    guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return 0 }
    for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
        let kb = line.split(separator: " ").compactMap { Int($0) }.first ?? 0
        return kb * 1024
    }
    return 0
}

func mib(_ bytes: Int) -> String { String(format: "%.1f MiB", Double(bytes) / 1_048_576) }

func fmt(_ value: Double, _ digits: Int = 0) -> String {
    guard value.isFinite else { return "–" }
    return String(format: "%.\(digits)f", value)
}

func ratio(_ value: Double) -> String {
    guard value.isFinite else { return "–" }
    return String(format: "%.2f×", value)
}

/// A Markdown table, printed to stdout and appended to the report file if any.
struct Table {
    var title: String
    var header: [String]
    var rows: [[String]] = []
    var notes: [String] = []

    func render() -> String {
        var out = "### \(title)\n\n"
        out += "| " + header.joined(separator: " | ") + " |\n"
        out += "|" + header.enumerated().map { $0.offset == 0 ? "---" : "---:" }.joined(separator: "|") + "|\n"
        for row in rows { out += "| " + row.joined(separator: " | ") + " |\n" }
        for note in notes { out += "\n\(note)\n" }
        return out + "\n"
    }

    func emit() {
        let text = render()
        writeStdout(text)
        if let path = ProcessInfo.processInfo.environment["BIGBENCH_REPORT"],
            let handle = FileHandle(forWritingAtPath: path)
                ?? {
                    _ = FileManager.default.createFile(atPath: path, contents: nil)
                    return FileHandle(forWritingAtPath: path)
                }()
        {
            handle.seekToEndOfFile()
            handle.write(Data(text.utf8))
            try? handle.close()
        }
    }
}

func note(_ message: String) {
    FileHandle.standardError.write(Data("[bigbench] \(message)\n".utf8))
}

/// Latencies of one run, in microseconds.
struct LatencySample: Sendable {
    var values: [UInt32] = []

    mutating func record(ns: UInt64) { values.append(UInt32(min(ns / 1000, UInt64(UInt32.max)))) }
    mutating func merge(_ other: LatencySample) { values.append(contentsOf: other.values) }

    /// Percentile `p` (0...100) in microseconds.
    func percentile(_ p: Double) -> Double {
        guard !values.isEmpty else { return .nan }
        let sorted = values.sorted()
        let index = min(sorted.count - 1, Int((Double(sorted.count) * p / 100).rounded(.up)) - 1)
        return Double(sorted[max(0, index)])
    }
}

/// Runs `workers` loops of `call` for `seconds`, returning calls/s and latencies.
func closedLoop(
    workers: Int,
    seconds: Double,
    _ call: @escaping @Sendable (Int) async throws -> Void
) async throws -> (rate: Double, latency: LatencySample) {
    let deadline = nowNs() + UInt64(seconds * 1e9)
    let start = nowNs()
    let results = try await withThrowingTaskGroup(of: (Int, LatencySample).self) { group in
        for worker in 0..<workers {
            group.addTask {
                var sample = LatencySample()
                sample.values.reserveCapacity(4096)
                var count = 0
                while true {
                    let t0 = nowNs()
                    if t0 >= deadline { break }
                    try await call(worker)
                    sample.record(ns: nowNs() - t0)
                    count += 1
                }
                return (count, sample)
            }
        }
        var total = 0
        var merged = LatencySample()
        for try await (count, sample) in group {
            total += count
            merged.merge(sample)
        }
        return (total, merged)
    }
    let elapsed = Double(nowNs() - start) / 1e9
    return (Double(results.0) / elapsed, results.1)
}

/// Unbuffered: the run script waits for lines of a background server.
func writeStdout(_ text: String) {
    FileHandle.standardOutput.write(Data(text.utf8))
}

/// CPU time (user + system) a process has used, in seconds, from /proc (10 ms ticks).
func cpuSeconds(pid: Int32) -> Double {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
        let close = stat.lastIndex(of: ")")
    else { return .nan }
    let fields = stat[stat.index(after: close)...].split(separator: " ")
    // after the command: state(0) ppid(1) … utime(11) stime(12)
    guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return .nan }
    return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
}

/// CPU time this process has used, in seconds (microsecond resolution).
func ownCPUSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
        + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}
