import Synchronization
import Testing

/// `#expect`, counted: a scenario with a failed check runs on to its end and
/// then throws, so that every host's log and the database's are kept.
final class CountedChecks: Sendable {
    let failed = Atomic<Int>(0)

    func callAsFunction(_ condition: Bool, _ message: @autoclosure () -> String, sourceLocation: SourceLocation = #_sourceLocation) {
        guard !condition else { return }
        Issue.record(Comment(rawValue: message()), sourceLocation: sourceLocation)
        failed.add(1, ordering: .relaxed)
    }
}
