/// What `bigprobe top` shows, computed from two scrapes `elapsed` apart:
/// the busiest methods (calls per second, errors per second, p99 latency in
/// that interval) and each flash-sale campaign's drop.
struct TopView: Sendable, Equatable {
    struct Method: Sendable, Equatable {
        var name: String
        var callsPerSecond: Double
        var errorsPerSecond: Double
        /// The upper bound of the latency bucket holding the 99th percentile
        /// of the interval's calls, in seconds; nil without calls.
        var p99Seconds: Double?
    }

    struct Drop: Sendable, Equatable {
        var campaign: String
        var remaining: Int
        var currentDrop: Int
        var holdsPerSecond: Double
    }

    var methods: [Method]
    var drops: [Drop]
    var connections: Int

    /// The view of the interval from `previous` to `current`; with no
    /// previous scrape, rates count from the server's start as if over `elapsed`.
    init(previous: MetricsScrape?, current: MetricsScrape, elapsed: Duration, rows: Int) {
        let seconds = max(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18, 0.001)
        func delta(_ name: String, where include: (MetricsScrape.Sample) -> Bool, by key: (MetricsScrape.Sample) -> String) -> [String: Double] {
            var totals: [String: Double] = [:]
            for sample in current.samples(name) where include(sample) { totals[key(sample), default: 0] += sample.value }
            for sample in previous?.samples(name) ?? [] where include(sample) { totals[key(sample), default: 0] -= sample.value }
            return totals
        }
        let method = { (sample: MetricsScrape.Sample) in "\(sample.labels["service"] ?? "?")/\(sample.labels["method"] ?? "?")" }
        let calls = delta("rpc_server_handled_total", where: { _ in true }, by: method)
        let errors = delta("rpc_server_handled_total", where: { $0.labels["code"] != "OK" }, by: method)
        var buckets: [String: [(le: Double, count: Double)]] = [:]
        for (key, count) in delta("rpc_server_handling_seconds_bucket", where: { _ in true }, by: { "\(method($0))\u{1F}\($0.labels["le"] ?? "")" }) {
            let parts = key.split(separator: "\u{1F}", omittingEmptySubsequences: false)
            guard parts.count == 2, let le = Double(parts[1] == "+Inf" ? "inf" : String(parts[1])) else { continue }
            buckets[String(parts[0]), default: []].append((le, count))
        }
        methods = calls.filter { $0.value > 0 }
            .map { name, count in
                Method(
                    name: name, callsPerSecond: count / seconds, errorsPerSecond: (errors[name] ?? 0) / seconds,
                    p99Seconds: Self.quantile(0.99, buckets[name] ?? []))
            }
            .sorted { ($0.callsPerSecond, $1.name) > ($1.callsPerSecond, $0.name) }
            .prefix(rows).map { $0 }

        let holds = delta("bigshop_flashsale_reserves_total", where: { $0.labels["outcome"] == "OK" }, by: { $0.labels["campaign"] ?? "?" })
        let currentDrops = Dictionary(
            current.samples("bigshop_flashsale_current_drop").map { ($0.labels["campaign"] ?? "?", Int($0.value)) }, uniquingKeysWith: { $1 })
        drops = current.samples("bigshop_flashsale_remaining_units")
            .map { sample in
                let campaign = sample.labels["campaign"] ?? "?"
                return Drop(
                    campaign: campaign, remaining: Int(sample.value), currentDrop: currentDrops[campaign] ?? -1,
                    holdsPerSecond: (holds[campaign] ?? 0) / seconds)
            }
            .sorted { $0.campaign < $1.campaign }
        connections = Int(current.samples("rpc_server_connections").reduce(0) { $0 + $1.value })
    }

    /// The smallest bucket bound under which `q` of the counts fall (cumulative buckets).
    static func quantile(_ q: Double, _ buckets: [(le: Double, count: Double)]) -> Double? {
        let sorted = buckets.sorted { $0.le < $1.le }
        guard let total = sorted.last?.count, total > 0 else { return nil }
        return sorted.first { $0.count >= q * total }?.le
    }

    /// The screen: a table of methods, then the drops.
    func render(endpoint: String) -> String {
        var lines = ["bigprobe top \(endpoint)   connections \(connections)", ""]
        lines.append(Self.pad("METHOD", 60) + Self.pad("CALLS/S", 10, right: true) + Self.pad("ERRORS/S", 10, right: true) + Self.pad("P99", 10, right: true))
        if methods.isEmpty { lines.append("(no calls)") }
        for method in methods {
            lines.append(
                Self.pad(method.name, 60) + Self.pad(Self.rate(method.callsPerSecond), 10, right: true)
                    + Self.pad(Self.rate(method.errorsPerSecond), 10, right: true)
                    + Self.pad(method.p99Seconds.map(Self.latency) ?? "-", 10, right: true))
        }
        lines.append("")
        lines.append(
            Self.pad("CAMPAIGN", 40) + Self.pad("DROP", 6, right: true) + Self.pad("REMAINING", 11, right: true) + Self.pad("HOLDS/S", 10, right: true))
        if drops.isEmpty { lines.append("(no flash sale)") }
        for drop in drops {
            lines.append(
                Self.pad(drop.campaign, 40) + Self.pad(drop.currentDrop < 0 ? "-" : String(drop.currentDrop), 6, right: true)
                    + Self.pad(String(drop.remaining), 11, right: true) + Self.pad(Self.rate(drop.holdsPerSecond), 10, right: true))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
        let clipped = text.count > width - 1 ? String(text.prefix(width - 2)) + "…" : text
        let space = String(repeating: " ", count: max(0, width - clipped.count))
        return right ? space + clipped : clipped + space
    }

    private static func rate(_ value: Double) -> String {
        value >= 100 ? String(Int(value.rounded())) : String(Double(Int(value * 10)) / 10)
    }

    private static func latency(_ seconds: Double) -> String {
        if seconds.isInfinite { return ">max" }
        if seconds < 0.001 { return "\(Int((seconds * 1_000_000).rounded())) µs" }
        if seconds < 1 { return "\(Double(Int(seconds * 10_000)) / 10) ms" }
        return "\(Double(Int(seconds * 100)) / 100) s"
    }
}
