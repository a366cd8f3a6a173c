/// A ``LoginThrottle`` that admits every attempt: for `--rate-limit off`
/// (load tests from one address). Written `.disabled`.
public struct DisabledLoginThrottle: LoginThrottle {
    /// The throttle that admits every attempt.
    public init() {}

    /// Always nil: every attempt proceeds.
    public func admit(address: String, email: String) -> Duration? {
        nil
    }
}
