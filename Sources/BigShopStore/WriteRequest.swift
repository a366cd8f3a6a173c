/// Resumes a caller with its result. Completions never capture the caller's body closure:
/// a worker drops every request before running the completions it produced, which is what
/// lets the public API take non-escaping bodies (see ``Database/write(_:)``).
typealias Completion = @Sendable () -> Void

/// A unit of work for the reader threads: runs a body on a reader connection and returns
/// the completion that delivers its result.
typealias ReadJob = @Sendable (Connection) -> Completion

/// An entry of the writer queue.
enum WriteRequest: Sendable {
    /// Runs alone, with its own transaction handling (`write`, `writeWithoutTransaction`).
    case exclusive(@Sendable (Connection) -> Completion)
    /// May share a transaction with adjacent batched requests (`writeBatched`).
    case batched(BatchedWrite)

    var isBatched: Bool {
        if case .batched = self { return true }
        return false
    }
}
