/// The samples of a Prometheus text-format scrape, for assertions:
/// `value("rpc_server_handled_total", ["method": "Reserve", "code": "OK"])`
/// adds up every sample of that name whose labels include those given.
struct PrometheusText {
    struct Sample {
        var name: String
        var labels: [String: String]
        var value: Double
    }

    let samples: [Sample]

    init(_ text: String) {
        var samples: [Sample] = []
        for line in text.split(separator: "\n") where !line.hasPrefix("#") && !line.isEmpty {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
            let series = line[..<space]
            var labels: [String: String] = [:]
            let name: Substring
            if let open = series.firstIndex(of: "{"), series.hasSuffix("}") {
                name = series[..<open]
                labels = Self.labels(series[series.index(after: open)..<series.index(before: series.endIndex)])
            } else {
                name = series
            }
            samples.append(Sample(name: String(name), labels: labels, value: value))
        }
        self.samples = samples
    }

    /// The sum of the samples of `name` whose labels include `labels`; nil when there is none.
    func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        let matching = samples.filter { sample in sample.name == name && labels.allSatisfy { sample.labels[$0.key] == $0.value } }
        return matching.isEmpty ? nil : matching.reduce(0) { $0 + $1.value }
    }

    /// Whether a metric family `name` has samples (a histogram's `_count` counts).
    func has(_ name: String) -> Bool {
        samples.contains { $0.name == name || $0.name == name + "_count" }
    }

    /// The label names of the samples of `name` (or its histogram's `_count`).
    func labelNames(_ name: String) -> Set<String> {
        Set(samples.filter { $0.name == name || $0.name == name + "_count" }.flatMap(\.labels.keys))
    }

    /// `a="x",b="y"`, values unescaped (`\"`, `\\`, `\n`).
    private static func labels(_ text: Substring) -> [String: String] {
        var labels: [String: String] = [:]
        var index = text.startIndex
        while index < text.endIndex {
            guard let equals = text[index...].firstIndex(of: "=") else { break }
            let key = String(text[index..<equals]).trimmingPrefix(",")
            var value = ""
            var cursor = text.index(equals, offsetBy: 2)  // past ="
            while cursor < text.endIndex, text[cursor] != "\"" {
                if text[cursor] == "\\", text.index(after: cursor) < text.endIndex {
                    cursor = text.index(after: cursor)
                    value.append(text[cursor] == "n" ? "\n" : text[cursor])
                } else {
                    value.append(text[cursor])
                }
                cursor = text.index(after: cursor)
            }
            labels[String(key)] = value
            index = text.index(after: min(cursor, text.index(before: text.endIndex)))
            if index < text.endIndex, text[index] == "," { index = text.index(after: index) }
        }
        return labels
    }
}
