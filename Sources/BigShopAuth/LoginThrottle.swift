/// Limits Login attempts per remote address and email, against password
/// guessing on one account.
///
/// The gateway limits Login per address, but only the Auth service reads the
/// email, so this finer limit is applied here, before any password hashing.
/// A refused attempt is answered RESOURCE_EXHAUSTED with `retry-after-ms`.
///
/// Implementations: ``TokenBucketLoginThrottle`` (the default) and
/// ``DisabledLoginThrottle`` (`--rate-limit off`).
public protocol LoginThrottle: Sendable {
    /// Counts one Login attempt from `address` (an IP address, no port) for
    /// `email` (normalized: trimmed, lowercased).
    ///
    /// - Returns: nil if the attempt may proceed, or how long until one would.
    func admit(address: String, email: String) -> Duration?
}

extension LoginThrottle where Self == DisabledLoginThrottle {
    /// A throttle that admits every attempt, for `--rate-limit off`.
    public static var disabled: DisabledLoginThrottle { DisabledLoginThrottle() }
}

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
