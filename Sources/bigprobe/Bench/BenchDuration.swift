import ArgumentParser

/// A duration on the command line: `30s`, `500ms`, `2m`, or a number of seconds.
struct BenchDuration: ExpressibleByArgument {
    let duration: Duration

    init?(argument: String) {
        let units: [(suffix: String, seconds: Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
        let unit = units.first { argument.hasSuffix($0.suffix) } ?? ("", 1)
        guard let value = Double(argument.dropLast(unit.suffix.count)), value > 0, value.isFinite else { return nil }
        duration = Duration(saturatingSeconds: value * unit.seconds)
    }
}
