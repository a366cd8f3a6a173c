import Foundation

/// The first admin, from `BIGSHOP_ADMIN_EMAIL` and `BIGSHOP_ADMIN_PASSWORD`:
/// created at start if absent. Secrets come from the environment only, never
/// from flags (visible in `ps`) or config files.
public struct AdminBootstrap: Sendable {
    public var email: String
    public var password: String

    public init(email: String, password: String) {
        self.email = email
        self.password = password
    }

    /// Both variables set and non-empty, or nil.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> AdminBootstrap? {
        guard let email = environment["BIGSHOP_ADMIN_EMAIL"], !email.isEmpty,
            let password = environment["BIGSHOP_ADMIN_PASSWORD"], !password.isEmpty
        else { return nil }
        return AdminBootstrap(email: email, password: password)
    }
}
