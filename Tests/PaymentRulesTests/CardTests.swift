import Testing

@testable import PaymentRules

struct CardTests {
    static let now = YearMonth(year: 2026, month: 6)

    // MARK: - Luhn and number normalization

    @Test func luhn() {
        #expect(Card.passesLuhn("4111111111111111"))
        #expect(Card.passesLuhn("378282246310005"))
        #expect(Card.passesLuhn("79927398713"))
        #expect(!Card.passesLuhn("4111111111111112"))
        #expect(!Card.passesLuhn("79927398710"))
        #expect(!Card.passesLuhn(""))
        #expect(!Card.passesLuhn("0"))
        #expect(!Card.passesLuhn("4111 1111 1111 1111"))
    }

    @Test func normalizesSpacesAndDashes() throws {
        #expect(try Card.normalizeNumber("4111 1111 1111 1111") == "4111111111111111")
        #expect(try Card.normalizeNumber("4111-1111-1111-1111") == "4111111111111111")
        #expect(try Card.normalizeNumber(" 3782-822463-10005 ") == "378282246310005")
    }

    @Test func numberErrors() {
        #expect(throws: CardValidationError(field: .number, reason: .missing)) { try Card.normalizeNumber(" - ") }
        #expect(throws: CardValidationError(field: .number, reason: .invalidCharacters)) {
            try Card.normalizeNumber("4111.1111.1111.1111")
        }
        #expect(throws: CardValidationError(field: .number, reason: .invalidCharacters)) {
            try Card.normalizeNumber("４１１１１１１１１１１１１１１１")
        }
        #expect(throws: CardValidationError(field: .number, reason: .invalidLength)) {
            try Card.normalizeNumber("42424242426")
        }
        #expect(throws: CardValidationError(field: .number, reason: .invalidLength)) {
            try Card.normalizeNumber("42424242424242424240")
        }
        #expect(throws: CardValidationError(field: .number, reason: .failedLuhnCheck)) {
            try Card.normalizeNumber("4111111111111112")
        }
    }

    @Test func lengthBoundsAreInclusive() throws {
        // 12 and 19 digits with a valid check digit.
        #expect(try Card.normalizeNumber("424242424242").count == 12)
        #expect(try Card.normalizeNumber("4242424242424242428").count == 19)
    }

    // MARK: - Brand detection

    @Test(arguments: [
        ("4111111111111111", CardBrand.visa),
        ("4000000000000002", .visa),
        ("5555555555554444", .mastercard),
        ("5105105105105100", .mastercard),
        ("2221000000000009", .mastercard),
        ("2223003122003222", .mastercard),
        ("2720990000000007", .mastercard),
        ("2721000000000004", .unknown),
        ("2220990000000002", .unknown),
        ("378282246310005", .americanExpress),
        ("340000000000009", .americanExpress),
        ("6362970000457013", .elo),
        ("5067224275805500", .elo),
        ("5090000000000000", .elo),
        ("6500310000000005", .elo),
        ("4011780000000006", .elo),
        ("6062825624254001", .hipercard),
        ("3841000000000007", .hipercard),
        ("36227206271667", .dinersClub),
        ("30000000000004", .dinersClub),
        ("3056930009020004", .dinersClub),
        ("6011111111111117", .discover),
        ("6440000000000005", .discover),
        ("6500000000000002", .discover),
        ("3566002020360505", .jcb),
        ("3528000000000007", .jcb),
        ("3589000000000003", .jcb),
        ("9999990000000006", .unknown),
        ("6200000000000005", .unknown),
        ("4111 1111 1111 1111", .visa),
        ("4111x1111", .unknown),
        ("", .unknown),
    ])
    func detectsBrand(number: String, brand: CardBrand) {
        #expect(CardBrand(cardNumber: number) == brand)
    }

    // MARK: - Expiry

    @Test func expiryThroughEndOfMonth() throws {
        #expect(try Card.validateExpiry(month: 6, year: 2026, now: Self.now) == YearMonth(year: 2026, month: 6))
        #expect(try Card.validateExpiry(month: 7, year: 26, now: Self.now) == YearMonth(year: 2026, month: 7))
        #expect(try Card.validateExpiry(month: 1, year: 2027, now: Self.now) == YearMonth(year: 2027, month: 1))
        #expect(try Card.validateExpiry(month: 12, year: 46, now: Self.now) == YearMonth(year: 2046, month: 12))
    }

    @Test func expiryErrors() {
        #expect(throws: CardValidationError(field: .expMonth, reason: .expired)) {
            try Card.validateExpiry(month: 5, year: 2026, now: Self.now)
        }
        #expect(throws: CardValidationError(field: .expYear, reason: .expired)) {
            try Card.validateExpiry(month: 12, year: 25, now: Self.now)
        }
        #expect(throws: CardValidationError(field: .expMonth, reason: .outOfRange)) {
            try Card.validateExpiry(month: 0, year: 2027, now: Self.now)
        }
        #expect(throws: CardValidationError(field: .expMonth, reason: .outOfRange)) {
            try Card.validateExpiry(month: 13, year: 2027, now: Self.now)
        }
        #expect(throws: CardValidationError(field: .expYear, reason: .outOfRange)) {
            try Card.validateExpiry(month: 1, year: 202, now: Self.now)
        }
        #expect(throws: CardValidationError(field: .expYear, reason: .outOfRange)) {
            try Card.validateExpiry(month: 1, year: -1, now: Self.now)
        }
        #expect(throws: CardValidationError(field: .expYear, reason: .outOfRange)) {
            try Card.validateExpiry(month: 1, year: 2047, now: Self.now)
        }
    }

    // MARK: - CVV, installments, holder

    @Test func cvvByBrand() throws {
        try Card.validateCVV("123", brand: .visa)
        try Card.validateCVV("012", brand: .elo)
        try Card.validateCVV("1234", brand: .americanExpress)
        try Card.validateCVV("123", brand: .unknown)
        try Card.validateCVV("1234", brand: .unknown)
        #expect(throws: CardValidationError(field: .cvv, reason: .invalidLength)) {
            try Card.validateCVV("1234", brand: .visa)
        }
        #expect(throws: CardValidationError(field: .cvv, reason: .invalidLength)) {
            try Card.validateCVV("123", brand: .americanExpress)
        }
        #expect(throws: CardValidationError(field: .cvv, reason: .invalidLength)) {
            try Card.validateCVV("12", brand: .unknown)
        }
        #expect(throws: CardValidationError(field: .cvv, reason: .missing)) { try Card.validateCVV("", brand: .visa) }
        #expect(throws: CardValidationError(field: .cvv, reason: .invalidCharacters)) {
            try Card.validateCVV("12a", brand: .visa)
        }
    }

    @Test func installments() throws {
        #expect(try Card.normalizeInstallments(0) == 1)
        #expect(try Card.normalizeInstallments(1) == 1)
        #expect(try Card.normalizeInstallments(12) == 12)
        #expect(throws: CardValidationError(field: .installments, reason: .outOfRange)) {
            try Card.normalizeInstallments(13)
        }
        #expect(throws: CardValidationError(field: .installments, reason: .outOfRange)) {
            try Card.normalizeInstallments(-1)
        }
    }

    @Test func holder() throws {
        #expect(try Card.normalizeHolder("  João   D'Ávila-Souza Jr. ") == "João D'Ávila-Souza Jr.")
        #expect(throws: CardValidationError(field: .holder, reason: .missing)) { try Card.normalizeHolder("   ") }
        #expect(throws: CardValidationError(field: .holder, reason: .invalidCharacters)) {
            try Card.normalizeHolder("John Smith 2")
        }
        #expect(throws: CardValidationError(field: .holder, reason: .invalidCharacters)) {
            try Card.normalizeHolder("- .")
        }
        #expect(throws: CardValidationError(field: .holder, reason: .invalidLength)) {
            try Card.normalizeHolder(String(repeating: "a", count: 51))
        }
    }

    // MARK: - Whole input

    static func input(
        number: String = "4111 1111 1111 1111", expMonth: Int = 12, expYear: Int = 2030,
        cvv: String = "123", holder: String = "Maria Silva", installments: Int = 3
    ) -> CardInput {
        CardInput(
            number: number, expMonth: expMonth, expYear: expYear, cvv: cvv, holder: holder,
            installments: installments)
    }

    @Test func validateReturnsOnlySummary() throws {
        let validated = try Card.validate(Self.input(), now: Self.now)
        #expect(validated.summary == CardSummary(last4: "1111", brand: .visa))
        #expect(validated.expiry == YearMonth(year: 2030, month: 12))
        #expect(validated.installments == 3)
        #expect(!String(describing: validated).contains("4111111111111111"))
    }

    @Test func validateNamesTheFailingField() {
        let cases: [(CardInput, CardValidationError)] = [
            (Self.input(number: "4111111111111112"), .init(field: .number, reason: .failedLuhnCheck)),
            (Self.input(expMonth: 13), .init(field: .expMonth, reason: .outOfRange)),
            (Self.input(expYear: 2020), .init(field: .expYear, reason: .expired)),
            (Self.input(cvv: "12"), .init(field: .cvv, reason: .invalidLength)),
            (Self.input(number: "378282246310005", cvv: "123"), .init(field: .cvv, reason: .invalidLength)),
            (Self.input(holder: ""), .init(field: .holder, reason: .missing)),
            (Self.input(installments: 24), .init(field: .installments, reason: .outOfRange)),
        ]
        for (input, expected) in cases {
            #expect(throws: expected) { try Card.validate(input, now: Self.now) }
        }
    }

    @Test func errorDescriptionUsesApiNames() {
        #expect(CardValidationError(field: .expMonth, reason: .expired).description == "exp_month: expired")
        #expect(CardValidationError(field: .number, reason: .failedLuhnCheck).description == "number: failed_luhn_check")
    }
}
