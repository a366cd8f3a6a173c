import BigShopAuthAPI
import BigShopServiceKit
import BigShopStore

/// A row of the `users` table.
struct UserRecord: Hashable, Sendable {
    var id: String
    /// Normalized (see ``NewAccount/normalizeEmail(_:)``); unique.
    var email: String
    var name: String
    var role: ShopRole
    /// A ``PasswordHash`` in its text form.
    var passwordHash: String
    var createdAtMs: Int64

    /// The stored hash of an account made by CreateCustomers: not a
    /// ``PasswordHash`` text form (no `$`), so no password ever matches it;
    /// Login treats it as a wrong password.
    static let noPassword = "none"

    /// The columns ``init(row:)`` reads, in order.
    static let columns = "id, email, name, role, password_hash, created_at_ms"

    init(id: String, email: String, name: String, role: ShopRole, passwordHash: String, createdAtMs: Int64) {
        self.id = id
        self.email = email
        self.name = name
        self.role = role
        self.passwordHash = passwordHash
        self.createdAtMs = createdAtMs
    }

    init(row: Row) throws {
        let roleName = try row.string(3)
        guard let role = ShopRole(rawValue: roleName) else { throw AuthStoreError.unknownRole(roleName) }
        self.init(
            id: try row.string(0), email: try row.string(1), name: try row.string(2), role: role,
            passwordHash: try row.string(4), createdAtMs: try row.int64(5)
        )
    }

    /// The user as the API shows it (never the hash).
    var proto: Bigshop_Auth_V1_User {
        Bigshop_Auth_V1_User(id: id, email: email, name: name, role: role.proto)
    }
}
