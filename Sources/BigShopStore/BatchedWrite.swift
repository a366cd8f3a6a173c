/// One `writeBatched` call waiting for the writer thread.
struct BatchedWrite: Sendable {
    /// Runs the caller's body (inside a savepoint set up by the writer) and returns the
    /// completion that delivers its value once the transaction has committed.
    let execute: @Sendable (Connection) throws -> Completion
    /// Resumes the caller with an error. Does not capture the body.
    let fail: @Sendable (any Error) -> Void
}
