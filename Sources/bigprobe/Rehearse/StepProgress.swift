import Synchronization

/// The progress of one step of a rehearsal (signing customers up,
/// connecting them, …), drawn on standard error while the step runs, when
/// standard error is a terminal.
final class StepProgress: Sendable {
    let label: String
    let total: Int
    private let done = Atomic(0)

    init(_ label: String, total: Int) {
        self.label = label
        self.total = total
    }

    /// Counts `count` more items done.
    func advance(by count: Int = 1) {
        done.wrappingAdd(count, ordering: .relaxed)
    }

    /// Runs `body`, redrawing the bar every 100 ms meanwhile; clears it after.
    func show<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        guard Terminal.standardErrorIsTerminal else { return try await body() }
        let drawer = Task {
            while (try? await Task.sleep(for: .milliseconds(100))) != nil {
                Terminal.writeError(ProgressBar.line(label, done: done.load(ordering: .relaxed), of: total))
            }
        }
        let result: Result<T, any Error>
        do {
            result = .success(try await body())
        } catch {
            result = .failure(error)
        }
        drawer.cancel()
        await drawer.value
        Terminal.writeError(ProgressBar.clear)
        return try result.get()
    }
}
