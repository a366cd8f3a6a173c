/// The `reason` trailers of the Auth service's refusals (upper-case, stable;
/// listed in docs/OPERATIONS.md and in auth.proto's comments).
enum AuthRefusalReason {
    /// RESOURCE_EXHAUSTED: too many password hashing calls wait already
    /// (see ``AuthSettings/passwordQueueLimit``); with `retry-after-ms`.
    static let hashingQueueFull = "HASHING_QUEUE_FULL"
    /// RESOURCE_EXHAUSTED: too many Login attempts for one (address, email)
    /// (see ``LoginThrottle``); with `retry-after-ms`.
    static let tooManyLoginAttempts = "TOO_MANY_LOGIN_ATTEMPTS"
}
