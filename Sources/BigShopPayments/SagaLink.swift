import BigRPC
import BigShopOrchestratorAPI
import BigShopOrdersAPI
import Logging

/// The checkout saga's payment steps as payments calls them: each repeated
/// a few times when the saga could not be reached, since both are safe to
/// repeat for one payment id.
struct SagaLink: Sendable {
    let saga: Bigshop_Orchestrator_V1_CheckoutSaga.Client
    let logger: Logger

    /// Tries per call.
    private static let attempts = 6
    private static let firstDelay = Duration.milliseconds(50)

    /// Starts attempt `paymentID` on the order: the amount to charge. Its
    /// refusals (NOT_PAYABLE, PAYMENT_IN_PROGRESS) are thrown as they are.
    func begin(orderID: String, paymentID: String) async throws -> Bigshop_Orchestrator_V1_BeginPaymentResponse {
        let request = Bigshop_Orchestrator_V1_BeginPaymentRequest(orderId: orderID, paymentId: paymentID)
        do {
            return try await retrying("BeginPayment", orderID: orderID) { try await saga.beginPayment(request) }
        } catch  where Self.mayPass(error) {
            // The attempt may have begun without us hearing it: end it.
            _ = try? await complete(orderID: orderID, paymentID: paymentID, approved: false)
            throw error
        }
    }

    /// Ends attempt `paymentID`; with `approved`, the order is confirmed.
    /// If the saga cannot be reached, the attempt stays open until the
    /// orchestrator's recovery, which finds the payment's status.
    @discardableResult
    func complete(orderID: String, paymentID: String, approved: Bool) async throws -> Bigshop_Orders_V1_Order {
        let request = Bigshop_Orchestrator_V1_CompletePaymentRequest(
            orderId: orderID, paymentId: paymentID, approved: approved)
        do {
            return try await retrying("CompletePayment", orderID: orderID) { try await saga.completePayment(request) }
        } catch {
            logger.error(
                "payment attempt left open",
                metadata: [
                    "order-id": "\(orderID)", "payment-id": "\(paymentID)", "approved": "\(approved)", "error": "\(error)",
                ])
            throw error
        }
    }

    private func retrying<T: Sendable>(
        _ step: String,
        orderID: String,
        _ call: () async throws -> T
    ) async throws -> T {
        var delay = Self.firstDelay
        var attempt = 1
        while true {
            do {
                return try await call()
            } catch  where attempt < Self.attempts && Self.mayPass(error) && !Task.isCancelled {
                logger.warning(
                    "saga call failed; retrying",
                    metadata: [
                        "order-id": "\(orderID)", "step": "\(step)", "attempt": "\(attempt)", "error": "\(error)",
                    ])
            }
            try await Task.sleep(for: delay)
            delay *= 2
            attempt += 1
        }
    }

    /// Whether the saga may answer if asked again: it was unreachable or
    /// failed internally. Its refusals are answers.
    private static func mayPass(_ error: any Error) -> Bool {
        guard let error = error as? RPCError else { return false }
        switch error.code {
        case .unavailable, .internal, .deadlineExceeded, .resourceExhausted, .unknown, .cancelled: return true
        default: return false
        }
    }
}
