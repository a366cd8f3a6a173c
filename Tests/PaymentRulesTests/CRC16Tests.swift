import Testing

@testable import PaymentRules

struct CRC16Tests {
    @Test func standardCheckValue() {
        #expect(CRC16.checksum("123456789") == 0x29B1)
        #expect(CRC16.checksum(Array("123456789".utf8)) == 0x29B1)
    }

    @Test func emptyInputIsInitialValue() {
        #expect(CRC16.checksum([UInt8]()) == 0xFFFF)
    }

    @Test func manualStaticExampleChecksum() {
        let body = String(BCBExamples.staticCode.dropLast(4))
        #expect(body.hasSuffix("6304"))
        #expect(CRC16.checksum(body) == 0x1D3D)
    }

    @Test func hexStringIsFourUppercaseDigits() {
        #expect(CRC16.hexString(0x1D3D) == "1D3D")
        #expect(CRC16.hexString(0x00AF) == "00AF")
        #expect(CRC16.hexString(0) == "0000")
        #expect(CRC16.hexString(0xFFFF) == "FFFF")
    }
}
