/// How the saga repeats a step that failed for a reason that may pass
/// (UNAVAILABLE, INTERNAL, DEADLINE_EXCEEDED, …): after a delay that doubles
/// from ``firstDelay`` up to ``maxDelay``.
///
/// Steps that move an order forward on a caller's behalf (reserve the
/// stock, create the order) try ``forwardAttempts`` times and then give up,
/// compensating what was done. Steps that finish a decision already logged
/// (commit or release the stock, confirm or abandon the order) never give
/// up: they retry until they succeed or the module closes, logging each
/// failure, so that no saga is left half-done.
public struct StepRetry: Sendable, Hashable {
    /// The delay before the first retry. Default 50 ms.
    public var firstDelay: Duration
    /// The longest delay between two tries. Default 5 s.
    public var maxDelay: Duration
    /// How many times a forward step is tried before the saga gives up on
    /// it. Default 4.
    public var forwardAttempts: Int

    /// Creates a policy; every argument has the documented default.
    public init(firstDelay: Duration = .milliseconds(50), maxDelay: Duration = .seconds(5), forwardAttempts: Int = 4) {
        precondition(firstDelay > .zero && maxDelay >= firstDelay, "need 0 < firstDelay <= maxDelay")
        precondition(forwardAttempts >= 1, "a step must be tried at least once")
        self.firstDelay = firstDelay
        self.maxDelay = maxDelay
        self.forwardAttempts = forwardAttempts
    }
}
