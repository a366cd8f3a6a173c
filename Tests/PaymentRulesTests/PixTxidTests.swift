import Testing
@testable import PaymentRules

struct PixTxidTests {
    /// SplitMix64, a small seeded generator for reproducible tests.
    struct SeededGenerator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static func isAlphanumeric(_ text: String) -> Bool {
        text.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) }
    }

    @Test func generatesTwentyFiveAlphanumerics() {
        for _ in 0..<200 {
            let txid = PixTxid.generate()
            #expect(txid.count == 25)
            #expect(Self.isAlphanumeric(txid))
        }
    }

    @Test func generatedValuesDiffer() {
        let values = Set((0..<100).map { _ in PixTxid.generate() })
        #expect(values.count == 100)
    }

    @Test func seededGenerationIsReproducibleAndUsesTheWholeAlphabet() {
        var first = SeededGenerator(state: 42)
        var second = SeededGenerator(state: 42)
        #expect(PixTxid.generate(using: &first) == PixTxid.generate(using: &second))

        var generator = SeededGenerator(state: 7)
        let characters = Set((0..<400).flatMap { _ in PixTxid.generate(using: &generator) })
        #expect(characters.count == 62)
    }
}
