import BigRPC
import BigShopFlashSaleAPI
import BigShopPaymentsAPI
import Foundation

/// Pays some of a rehearsal's holds as customers would: by card (a test
/// card the acquirer simulator approves) and by Pix (the customer asks for
/// a BR Code, the admin confirms it in place of the PSP's webhook).
enum HoldPayer {
    /// What the payments came to.
    struct Tally: Sendable {
        var card = 0
        var pix = 0
        /// Payments that did not end APPROVED, by status or error name.
        var failed: [String: Int] = [:]

        var approved: Int { card + pix }
    }

    /// A card number the acquirer simulator approves (Sources/PaymentRules);
    /// never a real card, and never printed.
    static let approvedTestCard = "4111111111111111"

    /// Pays every hold of `holds` (the customer and its reservation),
    /// alternately by card and by Pix, 32 at a time.
    static func pay(
        _ holds: [(customer: ShopCaller, reservation: Bigshop_Flashsale_V1_Reservation)],
        admin: ShopCaller,
        progress: StepProgress
    ) async -> Tally {
        let expYear = Int32(Calendar(identifier: .gregorian).component(.year, from: Date()) + 3)
        let results = await concurrentMap(holds.count, width: 32) { index -> (byCard: Bool, failure: String?) in
            let (customer, reservation) = holds[index]
            let byCard = index % 2 == 0
            defer { progress.advance() }
            do {
                // One idempotency key per order: a retried Pay is the same payment.
                var metadata = customer.metadata
                metadata["idempotency-key"] = "rehearsal-\(reservation.orderId)"
                let method: Bigshop_Payments_V1_PayRequest.OneOf_Method =
                    byCard
                    ? .card(.init(number: approvedTestCard, holder: "Cliente Ensaio", expMonth: 12, expYear: expYear, cvv: "123"))
                    : .pix(.init())
                var payment = try await ShopCaller.patiently {
                    try await customer.payments.pay(
                        .init(orderId: reservation.orderId, method: method), metadata: metadata, options: ShopCaller.options)
                }
                if !byCard, payment.status == .pending {
                    payment = try await ShopCaller.patiently {
                        try await admin.payments.confirmPix(.init(txid: payment.pixTxid), metadata: admin.metadata, options: ShopCaller.options)
                    }
                }
                return (byCard, payment.status == .approved ? nil : "\(payment.status)")
            } catch let error as RPCError {
                return (byCard, error.code.name)
            } catch {
                return (byCard, "\(error)")
            }
        }
        var tally = Tally()
        for result in results {
            if let failure = result.failure {
                tally.failed[failure, default: 0] += 1
            } else if result.byCard {
                tally.card += 1
            } else {
                tally.pix += 1
            }
        }
        return tally
    }
}
