import Testing

@testable import BigShopAuth

@Suite("PasswordHash")
struct PasswordHashTests {
    /// PBKDF2-HMAC-SHA256 known answers: the widely published vectors for
    /// ("password", "salt") and those of RFC 7914 §11, whose 64-byte outputs
    /// begin with the 32 bytes this type derives.
    @Test(arguments: [
        ("password", "salt", 1, "120fb6cffcf8b32c43e7225256c4f837a86548c92ccc35480805987cb70be17b"),
        ("password", "salt", 2, "ae4d0c95af6b46d32d0adff928f06dd02a303f8ef3c251dfd6e2d85a95474c43"),
        ("password", "salt", 4096, "c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a"),
        ("passwd", "salt", 1, "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc"),
        ("Password", "NaCl", 80000, "4ddcd8f60b98be21830cee5ef22701f9641a4418d04c0414aeff08876b34ab56"),
    ])
    func derivesTheKnownAnswers(password: String, salt: String, iterations: Int, expected: String) throws {
        let key = try PasswordHash.derive(password: Array(password.utf8), salt: Array(salt.utf8), iterations: iterations)
        #expect(hex(key) == expected)
    }

    @Test func rfc7914FullLengthVector() throws {
        let key = try PasswordHash.derive(
            password: Array("passwd".utf8), salt: Array("salt".utf8), iterations: 1, byteCount: 64
        )
        #expect(
            hex(key) == "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc"
                + "49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783")
    }

    @Test func verifiesAStoredKnownAnswer() throws {
        let encoded = "pbkdf2-sha256$4096$c2FsdA==$xeR41ZKIyEGqUw22hFxMjZYok6ABzk4RpJY4c6qYE0o="
        let stored = try #require(PasswordHash(encoded: encoded))
        #expect(stored.iterations == 4096)
        #expect(stored.salt == Array("salt".utf8))
        #expect(try stored.matches(password: Array("password".utf8)))
        #expect(try !stored.matches(password: Array("Password".utf8)))
    }

    @Test func newHashesAreSelfDescribingAndSalted() throws {
        let hash = try PasswordHash.make(password: Array("correct horse".utf8), iterations: 1_000)
        let fields = hash.encoded.split(separator: "$", omittingEmptySubsequences: false)
        #expect(fields.count == 4)
        #expect(fields[0] == "pbkdf2-sha256")
        #expect(fields[1] == "1000")
        #expect(fields[2].count == 24)  // 16 bytes of salt
        #expect(fields[3].count == 44)  // 32 bytes of hash
        #expect(hash.salt.count == 16)
        #expect(PasswordHash(encoded: hash.encoded) == hash)
        #expect(try hash.matches(password: Array("correct horse".utf8)))

        let again = try PasswordHash.make(password: Array("correct horse".utf8), iterations: 1_000)
        #expect(again.salt != hash.salt)
        #expect(again.hash != hash.hash)
    }

    @Test(arguments: [
        "",
        "pbkdf2-sha256",
        "pbkdf2-sha1$4096$c2FsdA==$xeR41ZKIyEGqUw22hFxMjZYok6ABzk4RpJY4c6qYE0o=",
        "pbkdf2-sha256$0$c2FsdA==$xeR41ZKIyEGqUw22hFxMjZYok6ABzk4RpJY4c6qYE0o=",
        "pbkdf2-sha256$-1$c2FsdA==$xeR41ZKIyEGqUw22hFxMjZYok6ABzk4RpJY4c6qYE0o=",
        "pbkdf2-sha256$999999999$c2FsdA==$xeR41ZKIyEGqUw22hFxMjZYok6ABzk4RpJY4c6qYE0o=",
        "pbkdf2-sha256$4096$$xeR41ZKIyEGqUw22hFxMjZYok6ABzk4RpJY4c6qYE0o=",
        "pbkdf2-sha256$4096$c2FsdA==$xeR41ZKIyEGqUw22",
        "pbkdf2-sha256$4096$not base64$xeR41ZKIyEGqUw22hFxMjZYok6ABzk4RpJY4c6qYE0o=",
        "pbkdf2-sha256$4096$c2FsdA==$xeR41ZKIyEGqUw22hFxMjZYok6ABzk4RpJY4c6qYE0o=$extra",
    ])
    func rejectsWhatItDoesNotWrite(encoded: String) {
        #expect(PasswordHash(encoded: encoded) == nil)
    }

    @Test func comparesWholeArrays() {
        #expect(PasswordHash.constantTimeEquals([1, 2, 3], [1, 2, 3]))
        #expect(!PasswordHash.constantTimeEquals([1, 2, 3], [1, 2, 4]))
        #expect(!PasswordHash.constantTimeEquals([0, 2, 3], [1, 2, 3]))
        #expect(!PasswordHash.constantTimeEquals([1, 2], [1, 2, 3]))
        #expect(PasswordHash.constantTimeEquals([], []))
    }

    private func hex(_ bytes: [UInt8]) -> String {
        bytes.map { $0 < 0x10 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
    }
}
