import Testing

@testable import PaymentRules

struct PixBRCodeBuilderTests {
    static let key = "pix@bigshop.com.br"

    static func order(
        key: String = key, additionalInfo: String? = nil, amount: Int64? = 48000,
        name: String = "BIGSHOP COMERCIO", city: String = "SAO PAULO",
        txid: String? = "PEDIDO123", mcc: String = "0000"
    ) throws(PixBRCodeError) -> PixBRCode {
        try PixBRCode(
            account: .key(key, additionalInfo: additionalInfo), amount: amount,
            merchantName: name, merchantCity: city, txid: txid, merchantCategoryCode: mcc)
    }

    @Test func shopPayloadHasFieldsInOrder() throws {
        let payload = try Self.order().payload
        let expectedBody =
            "000201"
            + "26400014br.gov.bcb.pix0118pix@bigshop.com.br"
            + "52040000" + "5303986" + "5406480.00" + "5802BR"
            + "5916BIGSHOP COMERCIO" + "6009SAO PAULO" + "62130509PEDIDO123" + "6304"
        #expect(payload.hasPrefix(expectedBody))
        #expect(payload.count == expectedBody.count + 4)
        #expect(String(payload.suffix(4)) == CRC16.hexString(CRC16.checksum(expectedBody)))
    }

    @Test(arguments: [
        (Int64(48000), "5406480.00"), (100, "54041.00"), (5, "54040.05"), (1, "54040.01"),
        (99, "54040.99"), (123456, "54071234.56"), (999_999_999_999, "54139999999999.99"),
    ])
    func amountFromCentavos(centavos: Int64, field: String) throws {
        #expect(try Self.order(amount: centavos).payload.contains("5303986" + field + "5802BR"))
    }

    @Test func openAmountOmitsField54() throws {
        #expect(!(try Self.order(amount: nil).payload.contains("5303986" + "54")))
    }

    @Test func descriptionGoesInSubfield02() throws {
        let payload = try Self.order(additionalInfo: "Pedido 123").payload
        #expect(payload.contains("26540014br.gov.bcb.pix0118pix@bigshop.com.br0210Pedido 123"))
    }

    @Test func customCategoryCode() throws {
        #expect(try Self.order(mcc: "5399").payload.contains("52045399"))
    }

    @Test func builtPayloadRoundTripsThroughParser() throws {
        let code = try Self.order(additionalInfo: "Pedido 123", amount: 12345, txid: "abcXYZ0123456789abcXYZ012")
        let parsed = try PixBRCode.parse(code.payload)
        #expect(parsed.account == code.account)
        #expect(parsed.amount == 12345)
        #expect(parsed.txid == "abcXYZ0123456789abcXYZ012")
        #expect(parsed.merchantName == code.merchantName)
        #expect(parsed.merchantCity == code.merchantCity)
    }

    @Test func generatedTxidIsAccepted() throws {
        let txid = PixTxid.generate()
        #expect(try PixBRCode.parse(Self.order(txid: txid).payload).txid == txid)
    }

    @Test func limitsAreInclusive() throws {
        let maxKey = String(repeating: "k", count: 77)
        #expect(try Self.order(key: maxKey).payload.contains("2699"))
        _ = try Self.order(name: String(repeating: "N", count: 25), city: String(repeating: "C", count: 15))
        _ = try Self.order(txid: String(repeating: "A", count: 25))
    }

    // MARK: - Validation errors

    @Test func txidErrors() {
        #expect(throws: PixBRCodeError.empty(.txid)) { try Self.order(txid: "") }
        #expect(throws: PixBRCodeError.invalidCharacters(.txid)) { try Self.order(txid: "PEDIDO-1") }
        #expect(throws: PixBRCodeError.invalidCharacters(.txid)) { try Self.order(txid: "***") }
        #expect(throws: PixBRCodeError.invalidCharacters(.txid)) { try Self.order(txid: "PEDIDOÇ") }
        #expect(throws: PixBRCodeError.tooLong(.txid, length: 26, maximum: 25)) {
            try Self.order(txid: String(repeating: "A", count: 26))
        }
    }

    @Test func merchantNameAndCityErrors() {
        #expect(throws: PixBRCodeError.empty(.merchantName)) { try Self.order(name: "") }
        #expect(throws: PixBRCodeError.tooLong(.merchantName, length: 26, maximum: 25)) {
            try Self.order(name: String(repeating: "N", count: 26))
        }
        #expect(throws: PixBRCodeError.invalidCharacters(.merchantName)) { try Self.order(name: "JOÃO") }
        #expect(throws: PixBRCodeError.empty(.merchantCity)) { try Self.order(city: "") }
        #expect(throws: PixBRCodeError.tooLong(.merchantCity, length: 16, maximum: 15)) {
            try Self.order(city: String(repeating: "C", count: 16))
        }
        #expect(throws: PixBRCodeError.invalidCharacters(.merchantCity)) { try Self.order(city: "São Paulo") }
    }

    @Test func keyErrors() {
        #expect(throws: PixBRCodeError.empty(.key)) { try Self.order(key: "") }
        #expect(throws: PixBRCodeError.tooLong(.key, length: 78, maximum: 77)) {
            try Self.order(key: String(repeating: "k", count: 78))
        }
        #expect(throws: PixBRCodeError.invalidCharacters(.key)) { try Self.order(key: "a b@c.com") }
    }

    @Test func merchantAccountTemplateMustFitIn99() {
        // 4+14 (GUI) + 4+60 (key) + 4+20 (description) = 106 > 99.
        #expect(throws: PixBRCodeError.fieldTooLong(id: "26", length: 106)) {
            try Self.order(key: String(repeating: "k", count: 60), additionalInfo: String(repeating: "d", count: 20))
        }
        #expect(throws: PixBRCodeError.tooLong(.additionalInfo, length: 73, maximum: 72)) {
            try Self.order(key: "k", additionalInfo: String(repeating: "d", count: 73))
        }
        #expect(throws: PixBRCodeError.empty(.additionalInfo)) { try Self.order(additionalInfo: "") }
    }

    @Test func amountErrors() {
        #expect(throws: PixBRCodeError.invalidValue(.amount)) { try Self.order(amount: 0) }
        #expect(throws: PixBRCodeError.invalidValue(.amount)) { try Self.order(amount: -100) }
        #expect(throws: PixBRCodeError.tooLong(.amount, length: 14, maximum: 13)) {
            try Self.order(amount: 1_000_000_000_000)
        }
    }

    @Test func categoryCodeErrors() {
        #expect(throws: PixBRCodeError.invalidValue(.merchantCategoryCode)) { try Self.order(mcc: "000") }
        #expect(throws: PixBRCodeError.invalidValue(.merchantCategoryCode)) { try Self.order(mcc: "00A0") }
    }

    @Test func dynamicCodeErrors() {
        func dynamic(_ url: String, amount: Int64? = nil, txid: String? = nil) throws(PixBRCodeError) {
            _ = try PixBRCode(
                account: .location(url), amount: amount, merchantName: "BIGSHOP",
                merchantCity: "SAO PAULO", txid: txid)
        }
        #expect(throws: PixBRCodeError.notAllowedInDynamicCode(.amount)) {
            try dynamic("psp.example.com/qr/v2/abc", amount: 100)
        }
        #expect(throws: PixBRCodeError.notAllowedInDynamicCode(.txid)) {
            try dynamic("psp.example.com/qr/v2/abc", txid: "ABC")
        }
        #expect(throws: PixBRCodeError.invalidValue(.locationURL)) { try dynamic("https://psp.example.com/qr") }
        #expect(throws: PixBRCodeError.empty(.locationURL)) { try dynamic("") }
        #expect(throws: PixBRCodeError.tooLong(.locationURL, length: 78, maximum: 77)) {
            try dynamic(String(repeating: "u", count: 78))
        }
    }

    @Test func errorDescriptionsNameTheField() {
        #expect(
            PixBRCodeError.tooLong(.merchantName, length: 26, maximum: 25).description
                == "merchantName has 26 characters; the maximum is 25")
        #expect(
            PixBRCodeError.crcMismatch(expected: "1D3D", found: "0000").description
                == "CRC mismatch: computed 1D3D, payload has 0000")
    }
}
