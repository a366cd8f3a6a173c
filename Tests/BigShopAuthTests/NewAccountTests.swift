import Foundation
import Testing

@testable import BigShopAuth

@Suite("Account rules")
struct NewAccountTests {
    @Test(arguments: [
        "ana@example.com",
        "ana.souza+shop@mail.example.com.br",
        "o'brien@example.ie",
        "ana@xn--exmple-cua.com",
        "a@b.co",
    ])
    func acceptsUsualEmails(email: String) {
        #expect(NewAccount.isValidEmail(email))
    }

    @Test func limitsTheLengthOfEmails() {
        let local64 = String(repeating: "a", count: 64)
        #expect(NewAccount.isValidEmail(local64 + "@example.com"))
        #expect(!NewAccount.isValidEmail(local64 + "a@example.com"))
        let label63 = String(repeating: "d", count: 63)
        #expect(NewAccount.isValidEmail("a@" + label63 + ".com"))
        #expect(!NewAccount.isValidEmail("a@" + label63 + "d.com"))
        let long = "a@" + Array(repeating: label63, count: 4).joined(separator: ".")
        #expect(long.utf8.count > NewAccount.maxEmailBytes)
        #expect(!NewAccount.isValidEmail(long))
    }

    @Test func normalizesEmails() {
        #expect(NewAccount.normalizeEmail("  Ana.Souza@Example.COM\n") == "ana.souza@example.com")
    }

    /// NFKC folds compatibility forms into plain letters: a full-width
    /// look-alike is the same email, not a new account.
    @Test(arguments: [
        "\u{FF41}\u{FF4E}\u{FF41}@example.com",  // ａｎａ
        "ＡＮＡ＠ＥＸＡＭＰＬＥ．ＣＯＭ",  // full-width @ and dot too
        "ana@\u{1D41E}xample.com",  // mathematical bold e
        "\u{3000}ana@example.com\u{3000}",  // ideographic spaces around
    ])
    func foldsLookAlikesToThePlainEmail(email: String) throws {
        #expect(NewAccount.normalizeEmail(email) == "ana@example.com")
        let account = try NewAccount(email: email, password: "correct horse", name: "")
        #expect(account.email == "ana@example.com")
    }

    /// What is still not ASCII after NFKC is refused, naming the field.
    @Test(arguments: [
        "joão@exemplo.com.br",  // an accent (composed)
        "joa\u{303}o@exemplo.com.br",  // a combining tilde: NFKC composes it
        "ana\u{20DD}@example.com",  // a combining mark with no composed form
        "ana@ex\u{0430}mple.com",  // Cyrillic а, which looks Latin
        "an\u{200B}a@example.com",  // zero-width space
        "ana\u{202E}@example.com",  // right-to-left override
        "ana@exemplo.com.br\u{FEFF}x",  // BOM
        "ana@пример.рф",  // an IDN domain: write it as xn--
    ])
    func refusesWhatIsNotPlainAfterNormalization(email: String) {
        #expect(NewAccount.emailProblem(NewAccount.normalizeEmail(email) ?? "") != nil)
        #expect(!NewAccount.isValidEmail(NewAccount.normalizeEmail(email) ?? ""))
        do {
            _ = try NewAccount(email: email, password: "correct horse", name: "")
            Issue.record("accepted \(email.unicodeScalars.map { String($0.value, radix: 16) })")
        } catch {
            #expect(error.code == .invalidArgument)
            #expect(error.message.hasPrefix("email"))
            #expect(error.message.contains("ASCII"))
        }
    }

    @Test func refusesAnOverlongEmailUnread() {
        let huge = String(repeating: "a", count: 1_000_000) + "@example.com"
        #expect(NewAccount.normalizeEmail(huge) == nil)
        do {
            _ = try NewAccount(email: huge, password: "correct horse", name: "")
            Issue.record("accepted a 1 MB email")
        } catch {
            #expect(error.code == .invalidArgument)
            #expect(error.message.count < 100)
        }
    }

    @Test(arguments: [
        ("\u{202E}Ana", "U+202E"),  // right-to-left override
        ("Ana\u{202A}x", "U+202A"),
        ("Ana\u{2066}x\u{2069}", "U+2066"),  // isolates
        ("An\u{200E}a", "U+200E"),  // left-to-right mark
        ("An\u{200F}a", "U+200F"),
        ("An\u{061C}a", "U+061C"),  // Arabic letter mark
        ("An\u{200B}a", "U+200B"),  // zero-width space
        ("An\u{200D}a", "U+200D"),  // zero-width joiner
        ("An\u{2060}a", "U+2060"),  // word joiner
        ("An\u{FEFF}a", "U+FEFF"),  // BOM
        ("\u{3164}", "U+3164"),  // Hangul filler: a name that shows nothing
        ("Ana\u{0007}", "U+0007"),  // a control character
        ("Ana\u{2028}Souza", "U+2028"),  // line separator
    ])
    func refusesInvisibleAndBidiCharactersInNames(name: String, codePoint: String) {
        do {
            _ = try NewAccount(email: "ana@example.com", password: "correct horse", name: name)
            Issue.record("accepted the name \(name.unicodeScalars.map { String($0.value, radix: 16) })")
        } catch {
            #expect(error.code == .invalidArgument)
            #expect(error.message.hasPrefix("name"))
            #expect(error.message.contains(codePoint))
        }
    }

    @Test(arguments: ["Ana Souza", "João da Silva", "Zoë O'Brien", "李小龍", "محمد", "Ana 🙂", "  Ana  "])
    func acceptsUsualNames(name: String) throws {
        let account = try NewAccount(email: "ana@example.com", password: "correct horse", name: name)
        #expect(account.name == name.trimmingCharacters(in: .whitespaces))
    }

    @Test func limitsTheLengthOfNames() throws {
        _ = try NewAccount(email: "a@b.co", password: "correct horse", name: String(repeating: "n", count: 200))
        #expect(throws: (any Error).self) {
            try NewAccount(email: "a@b.co", password: "correct horse", name: String(repeating: "n", count: 201))
        }
        // One character carrying thousands of combining marks: bounded in bytes.
        let zalgo = "Z" + String(repeating: "\u{0301}", count: 5_000)
        #expect(zalgo.count == 1)
        #expect(throws: (any Error).self) { try NewAccount(email: "a@b.co", password: "correct horse", name: zalgo) }
    }

    @Test func countsPasswordCharactersNotBytes() throws {
        // Eight characters, sixteen bytes.
        let account = try NewAccount(email: "ana@example.com", password: "çççççççç", name: "")
        #expect(account.password == "çççççççç")
        #expect(throws: (any Error).self) { try NewAccount(email: "ana@example.com", password: "ççççççç", name: "") }
    }

    @Test func keepsPasswordsAsSent() throws {
        let account = try NewAccount(email: "ana@example.com", password: "  spaced  ", name: "")
        #expect(account.password == "  spaced  ")
    }
}
