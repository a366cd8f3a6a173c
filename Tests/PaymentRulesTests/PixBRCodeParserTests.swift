import Testing

@testable import PaymentRules

struct PixBRCodeParserTests {
    /// Appends a correct CRC to `body` (which must not yet contain field 63).
    static func sealed(_ body: String) -> String {
        let withHeader = body + "6304"
        return withHeader + CRC16.hexString(CRC16.checksum(withHeader))
    }

    static let validBody =
        "000201" + "26400014br.gov.bcb.pix0118pix@bigshop.com.br" + "52040000" + "5303986"
        + "5406480.00" + "5802BR" + "5907BIGSHOP" + "6009SAO PAULO" + "62070503ABC"

    @Test func acceptsSealedBody() throws {
        let parsed = try PixBRCode.parse(Self.sealed(Self.validBody))
        #expect(parsed.amount == 48000)
        #expect(parsed.txid == "ABC")
        #expect(parsed.account == .key("pix@bigshop.com.br"))
    }

    @Test func acceptsLowercaseCRCAndUppercaseGUI() throws {
        let upperGUI = Self.sealed(Self.validBody.replacingFirst("br.gov.bcb.pix", with: "BR.GOV.BCB.PIX"))
        let lowerCRC = String(upperGUI.dropLast(4)) + upperGUI.suffix(4).lowercased()
        #expect(try PixBRCode.parse(lowerCRC).account == .key("pix@bigshop.com.br"))
    }

    @Test func rejectsWrongCRC() {
        let payload = String(Self.sealed(Self.validBody).dropLast(4)) + "0000"
        let error = #expect(throws: PixBRCodeError.self) { try PixBRCode.parse(payload) }
        guard case .crcMismatch(_, "0000") = error else {
            Issue.record("unexpected \(String(describing: error))")
            return
        }
    }

    @Test func rejectsNonHexCRC() {
        let payload = String(Self.sealed(Self.validBody).dropLast(4)) + "12G4"
        #expect(throws: PixBRCodeError.unexpectedValue(id: "63", value: "12G4")) {
            try PixBRCode.parse(payload)
        }
    }

    @Test func rejectsBrokenTLV() {
        #expect(throws: PixBRCodeError.missingField(id: "00")) { try PixBRCode.parse("") }
        #expect(throws: PixBRCodeError.malformed(offset: 0)) { try PixBRCode.parse("0X0201") }
        #expect(throws: PixBRCodeError.malformed(offset: 6)) { try PixBRCode.parse("0002015905ABC") }
        #expect(throws: PixBRCodeError.malformed(offset: 6)) { try PixBRCode.parse("00020159") }
        #expect(throws: PixBRCodeError.malformed(offset: 6)) { try PixBRCode.parse("0002015900") }
        // Nested: template 26 whose inner object overruns; the offset points into the payload.
        let brokenTemplate = Self.validBody.replacingFirst(
            "26400014br.gov.bcb.pix0118pix@bigshop.com.br", with: "26060099ab")
        #expect(throws: PixBRCodeError.malformed(offset: 10)) { try PixBRCode.parse(Self.sealed(brokenTemplate)) }
    }

    @Test func rejectsNonASCII() {
        let payload = Self.sealed(Self.validBody.replacingFirst("SAO PAULO", with: "SÃO PAULO"))
        #expect(throws: PixBRCodeError.nonASCIIPayload) { try PixBRCode.parse(payload) }
    }

    @Test func fieldOrderAndPresence() {
        #expect(throws: PixBRCodeError.misplacedField(id: "00")) {
            try PixBRCode.parse(Self.sealed("52040000000201"))
        }
        #expect(throws: PixBRCodeError.missingField(id: "00")) { try PixBRCode.parse(Self.sealed("52040000")) }
        #expect(throws: PixBRCodeError.missingField(id: "63")) { try PixBRCode.parse(Self.validBody) }
        #expect(throws: PixBRCodeError.misplacedField(id: "63")) {
            try PixBRCode.parse(Self.sealed(Self.validBody) + "610801310100")
        }
        #expect(throws: PixBRCodeError.duplicateField(id: "59")) {
            try PixBRCode.parse(Self.sealed(Self.validBody + "5903DUP"))
        }
        #expect(throws: PixBRCodeError.missingField(id: "59")) {
            try PixBRCode.parse(Self.sealed(Self.validBody.replacingFirst("5907BIGSHOP", with: "")))
        }
        #expect(throws: PixBRCodeError.missingField(id: "26-00")) {
            try PixBRCode.parse(Self.sealed(Self.validBody.replacingFirst("br.gov.bcb.pix", with: "br.gov.bcb.xyz")))
        }
        #expect(throws: PixBRCodeError.missingField(id: "26-01")) {
            try PixBRCode.parse(
                Self.sealed(
                    Self.validBody.replacingFirst(
                        "26400014br.gov.bcb.pix0118pix@bigshop.com.br", with: "26180014br.gov.bcb.pix")))
        }
        #expect(throws: PixBRCodeError.duplicateField(id: "62-05")) {
            try PixBRCode.parse(Self.sealed(Self.validBody.replacingFirst("62070503ABC", with: "62140503ABC0503DEF")))
        }
    }

    @Test func fixedValues() {
        #expect(throws: PixBRCodeError.unexpectedValue(id: "00", value: "02")) {
            try PixBRCode.parse(Self.sealed(Self.validBody.replacingFirst("000201", with: "000202")))
        }
        #expect(throws: PixBRCodeError.unexpectedValue(id: "53", value: "840")) {
            try PixBRCode.parse(Self.sealed(Self.validBody.replacingFirst("5303986", with: "5303840")))
        }
        #expect(throws: PixBRCodeError.unexpectedValue(id: "58", value: "US")) {
            try PixBRCode.parse(Self.sealed(Self.validBody.replacingFirst("5802BR", with: "5802US")))
        }
        #expect(throws: PixBRCodeError.unexpectedValue(id: "01", value: "13")) {
            try PixBRCode.parse(Self.sealed(Self.validBody.replacingFirst("000201", with: "000201010213")))
        }
    }

    @Test(arguments: [("480.00", Int64(48000)), ("10", 1000), ("0.5", 50), ("0.05", 5), ("1.00", 100)])
    func parsesAmounts(text: String, centavos: Int64) throws {
        let body = Self.validBody.replacingFirst("5406480.00", with: "54" + twoDigits(text.count) + text)
        #expect(try PixBRCode.parse(Self.sealed(body)).amount == centavos)
    }

    @Test(arguments: ["1,00", "1.000", ".50", "1.", "-1.00", "1e3", "99999999999999999999"])
    func rejectsBadAmounts(text: String) {
        let body = Self.validBody.replacingFirst("5406480.00", with: "54" + twoDigits(text.count) + text)
        #expect(throws: PixBRCodeError.unexpectedValue(id: "54", value: text)) {
            try PixBRCode.parse(Self.sealed(body))
        }
    }

    private func twoDigits(_ value: Int) -> String {
        (value < 10 ? "0" : "") + String(value)
    }
}

extension String {
    /// Replaces the first occurrence of `target`; the test fails loudly if it is absent.
    func replacingFirst(_ target: String, with replacement: String) -> String {
        if !contains(target) {
            Issue.record("\"\(target)\" not found")
        }
        return replacing(target, with: replacement, maxReplacements: 1)
    }
}
