import Testing

@testable import PaymentRules

struct PixTextTests {
    @Test(arguments: [
        ("São Paulo", "SAO PAULO"),
        ("  Florianópolis  ", "FLORIANOPOLIS"),
        ("Goiânia", "GOIANIA"),
        ("Maceió", "MACEIO"),
        ("Açaí & Cia.", "ACAI & CIA."),
        ("João\tda   Silva", "JOAO DA SILVA"),
        ("Straße Œuvre Łódź", "STRASSE OEUVRE LODZ"),
        ("Cafe\u{301} com pa\u{303}o", "CAFE COM PAO"),
        ("Loja 🚀 Online", "LOJA ONLINE"),
        ("São\u{00A0}Luís", "SAO LUIS"),
    ])
    func normalizes(input: String, expected: String) {
        #expect(PixText.normalize(input) == expected)
    }

    @Test func foldingKeepsCase() {
        #expect(PixText.foldingToASCII("São Paulo – Ação") == "Sao Paulo  Acao")
        #expect(PixText.foldingToASCII("ÆØÅ æøå Ÿ ÿ") == "AEOA aeoa Y y")
    }

    @Test func truncatesToFieldLimits() {
        let name = PixText.normalize(
            "Padaria Pão de Açúcar Comércio de Alimentos", maxLength: PixBRCode.maximumMerchantNameLength)
        #expect(name == "PADARIA PAO DE ACUCAR COM")
        #expect(name.count == 25)
        // Truncation that ends on a space does not leave it behind.
        #expect(PixText.normalize("São José dos Campos", maxLength: 13) == "SAO JOSE DOS")
        #expect(PixText.normalize("abc", maxLength: 0) == "")
    }

    @Test func normalizedTextIsAcceptedByTheBuilder() throws {
        let code = try PixBRCode(
            account: .key("pix@bigshop.com.br"), amount: 100,
            merchantName: PixText.normalize("Lojas Ação Ltda", maxLength: PixBRCode.maximumMerchantNameLength),
            merchantCity: PixText.normalize("São Paulo", maxLength: PixBRCode.maximumMerchantCityLength),
            txid: "A1")
        #expect(code.payload.contains("5915LOJAS ACAO LTDA6009SAO PAULO"))
    }
}
