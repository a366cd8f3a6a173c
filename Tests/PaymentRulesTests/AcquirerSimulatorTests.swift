import Testing

@testable import PaymentRules

struct AcquirerSimulatorTests {
    static let now = YearMonth(year: 2026, month: 6)
    static let acquirer = AcquirerSimulator()

    static func card(_ number: String, cvv: String = "123", installments: Int = 1) -> CardInput {
        CardInput(number: number, expMonth: 12, expYear: 2030, cvv: cvv, holder: "Maria Silva", installments: installments)
    }

    @Test func declinesCardDeclinedNumber() throws {
        let result = try Self.acquirer.authorize(Self.card("4000 0000 0000 0002"), amount: 48000, now: Self.now)
        #expect(result == .declined(reason: .cardDeclined, card: CardSummary(last4: "0002", brand: .visa)))
    }

    @Test func declinesInsufficientFundsNumber() throws {
        let result = try Self.acquirer.authorize(Self.card("4000000000009995"), amount: 48000, now: Self.now)
        #expect(result == .declined(reason: .insufficientFunds, card: CardSummary(last4: "9995", brand: .visa)))
        #expect(DeclineReason.insufficientFunds.rawValue == "insufficient_funds")
        #expect(DeclineReason.cardDeclined.rawValue == "card_declined")
    }

    @Test(arguments: [
        ("4111111111111111", "123"), ("5555555555554444", "123"), ("378282246310005", "1234"),
        ("6362970000457013", "123"), ("6062825624254001", "123"),
    ])
    func approvesOtherValidCards(number: String, cvv: String) throws {
        let result = try Self.acquirer.authorize(Self.card(number, cvv: cvv, installments: 0), amount: 100, now: Self.now)
        guard case .approved(let code, let summary, let amount, let installments) = result else {
            Issue.record("expected approval, got \(result)")
            return
        }
        #expect(code.count == 6)
        #expect(code.allSatisfy { $0.isASCII && $0.isWholeNumber })
        #expect(summary.last4 == String(number.suffix(4)))
        #expect(amount == 100)
        #expect(installments == 1)
    }

    @Test func isDeterministic() throws {
        let first = try Self.acquirer.authorize(Self.card("4111111111111111", installments: 3), amount: 48000, now: Self.now)
        let second = try AcquirerSimulator().authorize(
            Self.card("4111-1111-1111-1111", installments: 3), amount: 48000, now: Self.now)
        #expect(first == second)
        let otherAmount = try Self.acquirer.authorize(Self.card("4111111111111111", installments: 3), amount: 48001, now: Self.now)
        #expect(first != otherAmount)
    }

    @Test func rejectsInvalidRequests() {
        #expect(throws: AuthorizationError.invalidAmount(0)) {
            try Self.acquirer.authorize(Self.card("4111111111111111"), amount: 0, now: Self.now)
        }
        #expect(throws: AuthorizationError.invalidCard(.init(field: .number, reason: .failedLuhnCheck))) {
            try Self.acquirer.authorize(Self.card("4000000000000001"), amount: 100, now: Self.now)
        }
        #expect(throws: AuthorizationError.invalidCard(.init(field: .cvv, reason: .invalidLength))) {
            try Self.acquirer.authorize(Self.card("4000000000000002", cvv: "12"), amount: 100, now: Self.now)
        }
    }
}
