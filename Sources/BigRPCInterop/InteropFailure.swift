/// Why a conformance case failed: the server (or the transport between the
/// client and it) did not behave as `interop-v1.md` requires.
public struct InteropFailure: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong, in a sentence naming the call and what differed from
    /// the contract.
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
