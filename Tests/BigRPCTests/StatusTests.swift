import BigRPC
import Testing

/// `Status` is a code plus a human-readable message; its description is what
/// logs and tools print.
@Suite struct StatusTests {
    @Test func okHasNoMessage() {
        #expect(Status.ok.code == .ok)
        #expect(Status.ok.message == "")
        #expect(Status(code: .ok) == .ok)
    }

    @Test func descriptionIsTheNameAndTheMessageIfAny() {
        #expect(Status(code: .notFound, message: "no such order").description == "NOT_FOUND: no such order")
        #expect(Status(code: .notFound).description == "NOT_FOUND")
        #expect(Status.ok.description == "OK")
    }

    @Test func equalityComparesCodeAndMessage() {
        #expect(Status(code: .aborted, message: "a") == Status(code: .aborted, message: "a"))
        #expect(Status(code: .aborted, message: "a") != Status(code: .aborted, message: "b"))
        #expect(Status(code: .aborted, message: "a") != Status(code: .unavailable, message: "a"))
    }
}

/// Status messages quote client input only as a short, printable excerpt.
@Suite struct StatusExcerptTests {
    @Test func shortInputIsQuotedWhole() {
        #expect(Status.excerpt("/shop.Catalog/Get") == "/shop.Catalog/Get")
        #expect(Status.excerpt("") == "")
        #expect(Status.excerpt(String(repeating: "a", count: 64)) == String(repeating: "a", count: 64))
    }

    @Test func longInputIsCutAfterTheLimit() {
        let path = String(repeating: "x", count: 4 * 1024 * 1024)
        let excerpt = Status.excerpt(path)
        #expect(excerpt == String(repeating: "x", count: Status.excerptLimit) + "…")
    }

    @Test func oneCharacterOfManyScalarsIsCutToo() {
        // "e" and a million combining acute accents: a single Character.
        let zalgo = "e" + String(repeating: "\u{0301}", count: 1_000_000)
        #expect(zalgo.count == 1)
        #expect(Status.excerpt(zalgo).unicodeScalars.count == Status.excerptLimit + 1)
    }

    @Test func controlAndBidiCharactersAreReplaced() {
        #expect(Status.excerpt("a\nb\u{202E}c\0") == "a\u{FFFD}b\u{FFFD}c\u{FFFD}")
    }
}
