import BigShopPaymentsAPI
import BigShopTestSupport
import Foundation
import Testing

/// The full card number and the CVV never reach a disk or a log line.
@Suite("Card data redaction")
struct CardDataRedactionTests {
    private static let amex = "378282246310005"
    private static let amexCVV = "7391"

    @Test("no database file and no log line holds a card number or CVV")
    func neverStoredNorLogged() async throws {
        try await PaymentsHarness.with { shop in
            let paid = try await shop.order(for: "ana")
            let approved = try await shop.payByCard(
                "ana", paid.id,
                Bigshop_Payments_V1_CardMethod(
                    number: "3782 822463 10005", holder: "Ana Souza", expMonth: 7, expYear: 2030, cvv: Self.amexCVV))
            #expect(approved.status == .approved)
            #expect(approved.cardLast4 == "0005")
            #expect(approved.cardBrand == "amex")

            let unpaid = try await shop.order(for: "bia")
            let declined = try await shop.payByCard("bia", unpaid.id, TestCards.card(TestCards.declined))
            #expect(declined.status == .declined)
            _ = try? await shop.payByCard("bia", unpaid.id, TestCards.card("4242424242424241", cvv: "5173"))

            // Any 6 digits in a row of the approved number are a leak (only its
            // last 4 may be kept), and so is either CVV or a whole number.
            let amexDigits = Array(Self.amex)
            let amexWindows = (0...(amexDigits.count - 6)).map { String(amexDigits[$0..<($0 + 6)]) }
            let secrets = amexWindows + ["3782 822463 10005", Self.amexCVV, TestCards.declined, "4242424242424241", "5173"]
            // Every SQLite file, or every table of the shop's PostgreSQL schemas.
            let stored = try await TestStorage.storedText(directory: shop.directory)
            #expect(stored.keys.contains { $0.contains("payments") })
            var paymentsFiles = ""
            for (file, content) in stored {
                let text = Self.withoutShopIDs(content)
                for secret in secrets {
                    #expect(try !Self.holds(text, secret), "\(file) holds \(secret)")
                }
                if file.contains("payments") { paymentsFiles += text }
            }
            // The scan sees what payments stored: the payment and its last 4 digits.
            #expect(paymentsFiles.contains("amex"))
            #expect(paymentsFiles.contains("0005"))

            let log = Self.withoutShopIDs(shop.logs.all.joined(separator: "\n"))
            #expect(log.contains("payment"))
            for secret in secrets {
                #expect(try !Self.holds(log, secret), "the log holds \(secret)")
            }
        }
    }

    /// The text with every run of 32 random hex digits (shop ids such as
    /// `ord_…`, request ids) cut out, so that a CVV's digits can only be
    /// found where a CVV was written. No card number is that long.
    /// Whether `text` holds `secret`. A CVV counts only as a number of its
    /// own: its four digits inside a longer number (a port such as 35173, a
    /// byte count) are not it; longer secrets count wherever they are.
    private static func holds(_ text: String, _ secret: String) throws -> Bool {
        guard secret.count <= 4 else { return text.contains(secret) }
        return text.contains(try Regex("(^|[^0-9])\(secret)([^0-9]|$)"))
    }

    private static func withoutShopIDs(_ text: String) -> String {
        text.replacing(/[0-9a-f]{32}/, with: "#")
    }
}
