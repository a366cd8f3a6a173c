import Testing

@testable import BigShopAuth

/// Session tokens: their stored hash and the shape check done before any lookup.
@Suite struct SessionTokenTests {
    @Test func theHashIsSHA256InLowercaseHex() {
        // FIPS 180-2's "abc" example.
        #expect(SessionToken.hash(of: "abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SessionToken.hash(of: "") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test func generatedTokensAreWellFormedAndHashedAsStored() {
        for _ in 0..<50 {
            let (token, hash) = SessionToken.generate()
            #expect(SessionToken.isWellFormed(token), "\(token)")
            #expect(hash == SessionToken.hash(of: token))
        }
    }

    @Test(arguments: [
        "",
        String(repeating: "A", count: 42),
        String(repeating: "A", count: 44),
        String(repeating: "A", count: 42) + "+",  // base64, not base64url
        String(repeating: "A", count: 42) + "=",
        String(repeating: "A", count: 42) + " ",
        String(repeating: "A", count: 41) + "é",  // 43 UTF-8 bytes, not ASCII
    ])
    func malformedTokensAreRefused(_ token: String) {
        #expect(!SessionToken.isWellFormed(token))
    }

    @Test func everyBase64URLCharacterIsAccepted() {
        let alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
        for character in alphabet {
            #expect(SessionToken.isWellFormed(String(repeating: character, count: 43)), "\(character)")
        }
    }
}
