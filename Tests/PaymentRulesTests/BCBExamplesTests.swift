import Testing

@testable import PaymentRules

/// The Banco Central's published examples: the parser accepts them, and the builder
/// reproduces the static and dynamic ones byte for byte.
struct BCBExamplesTests {
    static let randomKey = "123e4567-e12b-12d1-a456-426655440000"
    static let location = "pix.example.com/8b3da2f39a4140d1a91abd93113bd441"
    static let recurrence = "pix.example.com/rec/2353c790eefb11eaadc10242ac120002"

    @Test(arguments: BCBExamples.all)
    func parserAcceptsExampleAndItsCRC(payload: String) throws {
        let parsed = try PixBRCode.parse(payload)
        #expect(parsed.crc == String(payload.suffix(4)))
        #expect(parsed.merchantName == "Fulano de Tal")
        #expect(parsed.merchantCity == "BRASILIA")
        #expect(parsed.merchantCategoryCode == "0000")
        #expect(parsed.transactionCurrency == "986")
        #expect(parsed.countryCode == "BR")
        #expect(parsed.referenceLabel == "***")
        #expect(parsed.txid == nil)
    }

    @Test func staticExampleFields() throws {
        let parsed = try PixBRCode.parse(BCBExamples.staticCode)
        #expect(parsed.account == .key(Self.randomKey))
        #expect(parsed.amount == nil)
        #expect(parsed.pointOfInitiationMethod == nil)
        #expect(parsed.recurrenceURL == nil)
        #expect(parsed.crc == "1D3D")
        #expect(parsed.fields.map(\.id) == ["00", "26", "52", "53", "58", "59", "60", "62", "63"])
    }

    @Test func dynamicExampleFields() throws {
        let parsed = try PixBRCode.parse(BCBExamples.dynamicCode)
        #expect(parsed.account == .location(Self.location))
        #expect(parsed.pointOfInitiationMethod == "12")
        #expect(parsed.amount == nil)
        #expect(parsed.crc == "64E4")
    }

    @Test func compositeExampleFields() throws {
        let recurrenceOnly = try PixBRCode.parse(BCBExamples.compositeRecurrenceOnly)
        #expect(recurrenceOnly.account == nil)
        #expect(recurrenceOnly.recurrenceURL == Self.recurrence)

        let withStatic = try PixBRCode.parse(BCBExamples.compositeStaticWithRecurrence)
        #expect(withStatic.account == .key(Self.randomKey))
        #expect(withStatic.amount == 10050)
        #expect(withStatic.recurrenceURL == Self.recurrence)

        let withDynamic = try PixBRCode.parse(BCBExamples.compositeDynamicWithRecurrence)
        #expect(withDynamic.account == .location(Self.location))
        #expect(withDynamic.recurrenceURL == Self.recurrence)
    }

    @Test func builderReproducesStaticExample() throws {
        let code = try PixBRCode(
            account: .key(Self.randomKey), amount: nil,
            merchantName: "Fulano de Tal", merchantCity: "BRASILIA", txid: nil)
        #expect(code.payload == BCBExamples.staticCode)
    }

    @Test func builderReproducesDynamicExample() throws {
        let code = try PixBRCode(
            account: .location(Self.location), amount: nil,
            merchantName: "Fulano de Tal", merchantCity: "BRASILIA", txid: nil)
        #expect(code.payload == BCBExamples.dynamicCode)
    }

    @Test(arguments: BCBExamples.all)
    func anyAlteredCharacterBreaksTheCRC(payload: String) {
        var altered = Array(payload)
        let index = altered.firstIndex(of: "F")!
        altered[index] = "G"
        let error = #expect(throws: PixBRCodeError.self) { try PixBRCode.parse(String(altered)) }
        guard case .crcMismatch(_, let found) = error else {
            Issue.record("expected a CRC mismatch, got \(String(describing: error))")
            return
        }
        #expect(found == String(payload.suffix(4)))
    }
}
