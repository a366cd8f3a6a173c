import BigRPC
import BigShopAuthAPI
import Foundation

/// The fields of an account to create (Register, CreateAdmin, the startup
/// admin), checked and normalized.
///
/// Rules:
/// - email: trimmed and lowercased; at most 254 bytes; one `@`; a local part
///   of at most 64 bytes without spaces, control characters or
///   `"(),:;<>[\]`, not starting or ending with a dot nor holding two in a
///   row; a domain of at least two dot-separated labels of letters, digits
///   and hyphens (1-63 bytes each, no hyphen at either end), whose last label
///   is not all digits.
/// - password: at least 8 characters after NFKC normalization, at most 1024
///   bytes as sent; never trimmed.
/// - name: trimmed; at most 200 characters; no control characters. It may be
///   empty: the name is for display only, and a sign-up form should not fail
///   over it.
///
/// Each violation is INVALID_ARGUMENT naming the field.
struct NewAccount: Sendable {
    static let maxEmailBytes = 254
    static let maxLocalPartBytes = 64
    static let minPasswordCharacters = 8
    static let maxPasswordBytes = 1024
    static let maxNameCharacters = 200

    var email: String
    var password: String
    var name: String

    /// Checks and normalizes the fields of a Register or CreateAdmin request.
    init(_ request: Bigshop_Auth_V1_RegisterRequest) throws(RPCError) {
        try self.init(email: request.email, password: request.password, name: request.name)
    }

    init(email rawEmail: String, password: String, name rawName: String) throws(RPCError) {
        let email = Self.normalizeEmail(rawEmail)
        guard Self.isValidEmail(email) else {
            throw RPCError(.invalidArgument, "email is not a valid email address")
        }
        guard password.utf8.count <= Self.maxPasswordBytes else {
            throw RPCError(.invalidArgument, "password must be at most \(Self.maxPasswordBytes) bytes")
        }
        guard PasswordHasher.normalized(password).count >= Self.minPasswordCharacters else {
            throw RPCError(.invalidArgument, "password must be at least \(Self.minPasswordCharacters) characters")
        }
        let name = rawName.trimmingCharacters(in: .whitespacesAndNewlines)
        guard name.count <= Self.maxNameCharacters else {
            throw RPCError(.invalidArgument, "name must be at most \(Self.maxNameCharacters) characters")
        }
        guard !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw RPCError(.invalidArgument, "name must not contain control characters")
        }
        self.email = email
        self.password = password
        self.name = name
    }

    /// The canonical form of an email: trimmed and lowercased. Login
    /// normalizes the same way, so `Ana@Shop.com ` signs in as `ana@shop.com`.
    static func normalizeEmail(_ email: String) -> String {
        email.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
    }

    /// Whether a normalized email is acceptable (see the type's rules).
    static func isValidEmail(_ email: String) -> Bool {
        guard email.utf8.count <= maxEmailBytes else { return false }
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2 else { return false }
        let (local, domain) = (parts[0], parts[1])
        guard !local.isEmpty, local.utf8.count <= maxLocalPartBytes,
              local.unicodeScalars.allSatisfy(isAllowedInLocalPart),
              local.first != ".", local.last != ".", !local.contains("..")
        else { return false }
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2, labels.allSatisfy(isValidDomainLabel),
              let topLevel = labels.last, !topLevel.allSatisfy(\.isNumber)
        else { return false }
        return true
    }

    private static func isAllowedInLocalPart(_ scalar: Unicode.Scalar) -> Bool {
        let properties = scalar.properties
        guard !properties.isWhitespace, properties.generalCategory != .control else { return false }
        return !"\"(),:;<>[\\]".unicodeScalars.contains(scalar)
    }

    private static func isValidDomainLabel(_ label: Substring) -> Bool {
        guard (1...63).contains(label.utf8.count), label.first != "-", label.last != "-" else { return false }
        return label.unicodeScalars.allSatisfy { scalar in
            scalar == "-" || scalar.properties.isAlphabetic || scalar.properties.numericType == .decimal
        }
    }
}
