/// Why the Auth module could not start or create the startup admin.
public enum AuthSetupError: Error, Hashable, Sendable, CustomStringConvertible {
    /// An ``AuthSettings`` value is out of range.
    case invalidSettings(String)
    /// The startup admin's email, password or name breaks the account rules.
    case invalidAdminAccount(String)
    /// The startup admin's email belongs to a customer. It is not promoted:
    /// whoever registered it, perhaps before the admin was configured, knows
    /// its password. Choose another email, or remove that customer.
    case adminEmailBelongsToCustomer(email: String)

    /// A message for the operator; it never holds the email or the password.
    public var description: String {
        switch self {
        case .invalidSettings(let message):
            "invalid Auth settings: \(message)"
        case .invalidAdminAccount(let message):
            "invalid startup admin (BIGSHOP_ADMIN_EMAIL / BIGSHOP_ADMIN_PASSWORD): \(message)"
        case .adminEmailBelongsToCustomer:
            // Not the email itself: this message ends up in logs, which never
            // hold an email (docs/OPERATIONS.md).
            "the startup admin's email (BIGSHOP_ADMIN_EMAIL) belongs to a customer, who is not promoted; choose another email"
        }
    }
}
