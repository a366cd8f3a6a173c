import SeededRandom
import Testing

@testable import PaymentRules

struct PixTxidTests {
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
        var first = SplitMix64(seed: 42)
        var second = SplitMix64(seed: 42)
        #expect(PixTxid.generate(using: &first) == PixTxid.generate(using: &second))

        var generator = SplitMix64(seed: 7)
        let characters = Set((0..<400).flatMap { _ in PixTxid.generate(using: &generator) })
        #expect(characters.count == 62)
    }
}
