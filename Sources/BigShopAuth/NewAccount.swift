import BigRPC
import BigShopAuthAPI
import Foundation

/// The fields of an account to create (Register, CreateAdmin, the startup
/// admin), checked and normalized.
///
/// Rules:
/// - email: normalized (``normalizeEmail(_:)``: Unicode NFKC, trimmed,
///   lowercased), and then plain ASCII: what is still not ASCII after NFKC
///   (accented or combining letters, look-alikes from other scripts,
///   invisible and bidi characters) is refused, so that two addresses that
///   look the same are the same account. An international domain is written
///   in its `xn--` form. At most 254 bytes; one `@`; a local part of at most
///   64 bytes without spaces, control characters or `"(),:;<>[\]`, not
///   starting or ending with a dot nor holding two in a row; a domain of at
///   least two dot-separated labels of letters, digits and hyphens (1-63
///   bytes each, no hyphen at either end), whose last label is not all
///   digits.
/// - password: at least 8 characters after NFKC normalization, at most 1024
///   bytes as sent; never trimmed.
/// - name: trimmed; at most 200 characters and 1024 bytes; no control
///   characters, no invisible or format characters (bidi controls such as
///   U+202E, zero-width characters, U+FEFF, fillers that render as nothing),
///   no line or paragraph separators. It may be empty: the name is for
///   display only, and a sign-up form should not fail over it.
///
/// Each violation is INVALID_ARGUMENT naming the field; the message never
/// quotes the input (at most a code point, `U+202E`).
struct NewAccount: Sendable {
    static let maxEmailBytes = 254
    static let maxLocalPartBytes = 64
    /// Raw input longer than this cannot normalize to ``maxEmailBytes`` (NFKC
    /// maps one scalar of at most 4 bytes to at least one byte; padding
    /// beyond that is not worth normalizing), so it is refused unread.
    static let maxRawEmailBytes = 1024
    static let minPasswordCharacters = 8
    static let maxPasswordBytes = 1024
    static let maxNameCharacters = 200
    static let maxNameBytes = 1024

    var email: String
    var password: String
    var name: String

    /// Checks and normalizes the fields of a Register or CreateAdmin request.
    init(_ request: Bigshop_Auth_V1_RegisterRequest) throws(RPCError) {
        try self.init(email: request.email, password: request.password, name: request.name)
    }

    init(email rawEmail: String, password: String, name rawName: String) throws(RPCError) {
        guard let email = Self.normalizeEmail(rawEmail) else {
            throw RPCError(.invalidArgument, "email must be at most \(Self.maxEmailBytes) bytes")
        }
        if let problem = Self.emailProblem(email) {
            throw RPCError(.invalidArgument, problem)
        }
        guard password.utf8.count <= Self.maxPasswordBytes else {
            throw RPCError(.invalidArgument, "password must be at most \(Self.maxPasswordBytes) bytes")
        }
        guard PasswordHasher.normalized(password).count >= Self.minPasswordCharacters else {
            throw RPCError(.invalidArgument, "password must be at least \(Self.minPasswordCharacters) characters")
        }
        guard rawName.utf8.count <= Self.maxNameBytes * 4 else {
            throw RPCError(.invalidArgument, "name must be at most \(Self.maxNameBytes) bytes")
        }
        let name = rawName.trimmingCharacters(in: .whitespacesAndNewlines)
        if let problem = Self.nameProblem(name) {
            throw RPCError(.invalidArgument, problem)
        }
        self.email = email
        self.password = password
        self.name = name
    }

    // MARK: Email

    /// The canonical form of an email: Unicode NFKC (full-width and other
    /// compatibility forms become their plain letters: `ａｎａ＠ｓｈｏｐ．ｃｏｍ`
    /// is `ana@shop.com`), trimmed, lowercased. Login normalizes the same
    /// way, so `Ana@Shop.com ` signs in as `ana@shop.com`. Nil for input too
    /// long to be an email (``maxRawEmailBytes``), which is not normalized.
    static func normalizeEmail(_ email: String) -> String? {
        guard email.utf8.count <= maxRawEmailBytes else { return nil }
        return email.precomposedStringWithCompatibilityMapping
            .trimmingCharacters(in: .whitespacesAndNewlines)
            .lowercased()
    }

    /// How emails were normalized before NFKC (trimmed, lowercased): Login
    /// also looks an email up in this form, so that an account stored by an
    /// earlier version under a form NFKC changes still signs in.
    static func legacyNormalizeEmail(_ email: String) -> String {
        email.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
    }

    /// Why a normalized email is refused, or nil if it is acceptable (see
    /// the type's rules).
    static func emailProblem(_ email: String) -> String? {
        guard !email.isEmpty else { return "email is required" }
        guard email.utf8.count <= maxEmailBytes else { return "email must be at most \(maxEmailBytes) bytes" }
        guard email.utf8.allSatisfy({ $0 < 0x80 }) else {
            return "email must be plain ASCII after normalization: no accented, combining, look-alike or"
                + " invisible characters (write an international domain in its xn-- form)"
        }
        return isValidEmail(email) ? nil : "email is not a valid email address"
    }

    /// Whether a normalized email is acceptable (see the type's rules).
    static func isValidEmail(_ email: String) -> Bool {
        guard email.utf8.count <= maxEmailBytes, email.utf8.allSatisfy({ $0 < 0x80 }) else { return false }
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

    // MARK: Name

    /// Why a trimmed name is refused, or nil if it is acceptable (see the
    /// type's rules).
    static func nameProblem(_ name: String) -> String? {
        guard name.utf8.count <= maxNameBytes else { return "name must be at most \(maxNameBytes) bytes" }
        guard name.count <= maxNameCharacters else { return "name must be at most \(maxNameCharacters) characters" }
        for scalar in name.unicodeScalars {
            switch scalar.properties.generalCategory {
            case .control, .lineSeparator, .paragraphSeparator:
                return "name must not contain control characters or line breaks (\(codePoint(scalar)))"
            case .format:
                // Bidi controls (U+202A-U+202E, U+2066-U+2069, U+200E/F,
                // U+061C), zero-width characters (U+200B-U+200D, U+2060),
                // U+FEFF, tags: they reorder or hide what a name shows.
                return "name must not contain invisible or bidi control characters (\(codePoint(scalar)))"
            default:
                if invisibleLetters.contains(scalar.value) {
                    return "name must not contain invisible or bidi control characters (\(codePoint(scalar)))"
                }
            }
        }
        return nil
    }

    /// Letters and symbols that render as nothing (Hangul fillers, the blank
    /// braille pattern), used to fake an empty or look-alike name.
    private static let invisibleLetters: Set<UInt32> = [0x115F, 0x1160, 0x3164, 0xFFA0, 0x2800]

    /// `U+202E`: how a refused character is named in a message.
    private static func codePoint(_ scalar: Unicode.Scalar) -> String {
        let hex = String(scalar.value, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }
}
