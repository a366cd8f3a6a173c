/// How one conformance case went, as ``InteropClient/runAll(_:on:timeLimit:logger:)``
/// reports it.
public struct InteropCaseResult: Hashable, Sendable {
    /// The case that ran.
    public var testCase: InteropCase
    /// How long the case took, from its first call to its verdict.
    public var duration: Duration
    /// Why the case failed; nil when it passed.
    public var failure: InteropFailure?

    public init(testCase: InteropCase, duration: Duration, failure: InteropFailure?) {
        self.testCase = testCase
        self.duration = duration
        self.failure = failure
    }

    /// The case's name, e.g. `large_unary`.
    public var name: String { testCase.rawValue }

    /// Whether the server behaved as the contract requires.
    public var passed: Bool { failure == nil }

    /// The failure's message; nil when the case passed.
    public var failureMessage: String? { failure?.message }
}
