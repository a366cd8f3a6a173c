import Testing
@testable import BigShopAuth

@Suite("Account rules")
struct NewAccountTests {
    @Test(arguments: [
        "ana@example.com",
        "ana.souza+shop@mail.example.com.br",
        "o'brien@example.ie",
        "joão@exemplo.com.br",
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
