/// One scrape of a Prometheus text-format `/metrics` page: its samples by
/// metric name, each with its labels and value.
struct MetricsScrape: Sendable {
    struct Sample: Sendable, Hashable {
        var labels: [String: String]
        var value: Double
    }

    private(set) var byName: [String: [Sample]] = [:]

    /// Parses the text format's sample lines; comments and lines it cannot
    /// read are skipped.
    init(text: String) {
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let sample = Self.parse(line) else { continue }
            byName[sample.name, default: []].append(Sample(labels: sample.labels, value: sample.value))
        }
    }

    /// The samples of `name`.
    func samples(_ name: String) -> [Sample] { byName[name] ?? [] }

    /// `name{labels} value`; label values may hold escaped quotes.
    private static func parse(_ line: Substring) -> (name: String, labels: [String: String], value: Double)? {
        guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { return nil }
        let series = line[..<space]
        guard let brace = series.firstIndex(of: "{") else { return (String(series), [:], value) }
        var labels: [String: String] = [:]
        var key = ""
        var current = ""
        var inValue = false
        var escaped = false
        for character in series[series.index(after: brace)...] {
            if inValue {
                if escaped {
                    current.append(character == "n" ? "\n" : character)
                    escaped = false
                } else if character == "\\" {
                    escaped = true
                } else if character == "\"" {
                    labels[key] = current
                    (key, current, inValue) = ("", "", false)
                } else {
                    current.append(character)
                }
            } else if character == "\"" {
                inValue = true
            } else if character != "=" && character != "," && character != "}" {
                key.append(character)
            }
        }
        return (String(series[..<brace]), labels, value)
    }
}
