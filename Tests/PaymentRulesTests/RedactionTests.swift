import Testing

@testable import PaymentRules

struct RedactionTests {
    static let number = "5555 5555 5555 4444"
    static let digits = "5555555555554444"
    static let cvv = "987"
    static let holder = "Maria Silva"

    static let input = CardInput(
        number: number, expMonth: 11, expYear: 2031, cvv: cvv, holder: holder, installments: 2)

    static func assertRedacted(_ text: String) {
        #expect(!text.contains(digits))
        #expect(!text.contains(number))
        #expect(!text.contains("4444"))
        #expect(!text.contains(cvv))
        #expect(!text.contains(holder))
        #expect(text.contains("<redacted>"))
    }

    @Test func descriptionAndInterpolation() {
        Self.assertRedacted(Self.input.description)
        Self.assertRedacted("\(Self.input)")
        Self.assertRedacted(String(describing: Self.input))
        #expect(Self.input.description.contains("expMonth: 11"))
        #expect(Self.input.description.contains("installments: 2"))
    }

    @Test func debugDescriptionAndReflection() {
        Self.assertRedacted(Self.input.debugDescription)
        Self.assertRedacted(String(reflecting: Self.input))
        var dumped = ""
        dump(Self.input, to: &dumped)
        Self.assertRedacted(dumped)
        #expect(Mirror(reflecting: Self.input).children.count == 6)
    }

    @Test func nestedInCollectionsAndOptionals() {
        let optional: CardInput? = Self.input
        Self.assertRedacted("\([Self.input])")
        Self.assertRedacted(String(describing: optional))
        Self.assertRedacted(String(reflecting: ["card": Self.input]))
    }

    @Test func errorsAndResultsCarryNoSensitiveData() throws {
        let validated = try Card.validate(Self.input, now: YearMonth(year: 2026, month: 1))
        #expect(!String(describing: validated).contains(Self.digits))
        #expect(!String(describing: validated).contains(Self.cvv))

        let bad = CardInput(number: "5555555555554445", expMonth: 1, expYear: 2030, cvv: "987", holder: "X")
        let error = #expect(throws: CardValidationError.self) { try Card.validate(bad, now: YearMonth(year: 2026, month: 1)) }
        #expect(!String(describing: error).contains("5555555555554445"))
    }
}
