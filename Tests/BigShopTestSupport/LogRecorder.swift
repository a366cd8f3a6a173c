public import Logging
import Synchronization

/// Keeps every line the services log, level and metadata included, for
/// tests to search.
public final class LogRecorder: Sendable {
    private let lines = Mutex<[String]>([])

    public init() {}

    /// A logger writing here, at every level.
    public func logger(_ label: String) -> Logger {
        Logger(label: label) { _ in Handler(recorder: self) }
    }

    /// Every line so far.
    public var all: [String] { lines.withLock { $0 } }

    /// The lines containing every one of `fragments`.
    public func lines(containing fragments: String...) -> [String] {
        all.filter { line in fragments.allSatisfy { line.contains($0) } }
    }

    private struct Handler: LogHandler {
        let recorder: LogRecorder
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let fields = metadata.merging(event.metadata ?? [:]) { _, new in new }
                .sorted { $0.key < $1.key }
                .map { "\($0.key)=\($0.value)" }
                .joined(separator: " ")
            let line = "\(event.level) \(event.message) \(fields)"
            recorder.lines.withLock { $0.append(line) }
        }
    }
}
