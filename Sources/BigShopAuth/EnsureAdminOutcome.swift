/// What ``AuthModule/ensureAdmin(email:password:name:)`` did.
public enum EnsureAdminOutcome: Hashable, Sendable {
    /// The admin did not exist and was created.
    case created(userID: String)
    /// An admin with that email already existed; nothing changed (its
    /// password is not reset to the configured one).
    case alreadyPresent(userID: String)
}
