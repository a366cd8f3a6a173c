import BigShopServiceKit
import Testing

/// `statusPrefix`: what a status message may quote of client input.
@Suite struct StatusTextTests {
    @Test func shortInputIsQuotedWhole() {
        #expect("prd_123".statusPrefix() == "prd_123")
        #expect("".statusPrefix() == "")
        #expect("Água ☕️".statusPrefix() == "Água ☕️")
        #expect(String(repeating: "a", count: 64).statusPrefix() == String(repeating: "a", count: 64))
    }

    @Test func longInputIsCutWithAnEllipsis() {
        let megabyte = String(repeating: "A", count: 1 << 20)
        #expect(megabyte.statusPrefix() == String(repeating: "A", count: 64) + "…")
        #expect(megabyte.statusPrefix(8) == "AAAAAAAA…")
        #expect("abc".statusPrefix(0) == "…")
        #expect("abc".statusPrefix(-5) == "…")
    }

    @Test func oneCharacterOfManyScalarsIsCutToo() {
        // One grapheme cluster: "e" and a million combining acute accents.
        let zalgo = "e" + String(repeating: "\u{0301}", count: 1_000_000)
        #expect(zalgo.count == 1)
        #expect(zalgo.statusPrefix().unicodeScalars.count == 65)
    }

    @Test func controlAndBidiCharactersAreReplaced() {
        #expect("a\nb\r\u{0}c".statusPrefix() == "a\u{FFFD}b\u{FFFD}\u{FFFD}c")
        #expect("\u{202E}gnp.exe".statusPrefix() == "\u{FFFD}gnp.exe")
        #expect("x\u{2028}y\u{2066}z\u{200B}".statusPrefix() == "x\u{FFFD}y\u{FFFD}z\u{FFFD}")
    }
}
