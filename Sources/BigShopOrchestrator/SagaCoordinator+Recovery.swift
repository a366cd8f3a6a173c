import BigRPC

extension SagaCoordinator {
    /// Resumes or compensates every saga found between steps, as
    /// `docs/CHECKOUT.md` says for each state. Run it at start-up, before
    /// serving: it assumes no flow of a previous run is still going.
    ///
    /// A saga that cannot proceed is logged and left for the next run; the
    /// others are still recovered. Returns how many sagas were found.
    ///
    /// - Parameter untouchedForMs: only sagas whose last step is at least this old: with
    ///   several replicas, younger ones may still be driven by the replica that started
    ///   them.
    func recover(untouchedForMs: Int64 = 0) async throws -> Int {
        let cutoff = clock.nowMs() - untouchedForMs
        let sagas = try await store.unsettledSagas().filter { untouchedForMs == 0 || $0.updatedAtMs <= cutoff }
        if !sagas.isEmpty {
            logger.notice("recovering sagas", metadata: ["count": "\(sagas.count)"])
        }
        for saga in sagas {
            do {
                if saga.state == .paying { try await endInterruptedAttempt(saga) }
                let settled = try await settle(saga.orderID, rollingForward: true)
                logger.notice(
                    "saga recovered",
                    metadata: [
                        "order-id": "\(saga.orderID)", "from": "\(saga.state.rawValue)", "to": "\(settled.state.rawValue)",
                    ])
            } catch  where Self.isCancellation(error) {
                throw CancellationError()
            } catch {
                logger.error("saga not recovered", metadata: ["order-id": "\(saga.orderID)", "error": "\(error)"])
            }
        }
        return sagas.count
    }

    /// Ends a payment attempt that a crash cut short. Its PENDING card
    /// payments are declined first, so none can be approved afterwards; then
    /// an APPROVED payment (the attempt got that far) → `confirming`, none →
    /// back to `awaiting_payment`.
    private func endInterruptedAttempt(_ saga: SagaRecord) async throws {
        try await steps.abortInterruptedPayments(saga.orderID)
        let payments = try await steps.payments(of: saga.orderID)
        if let approved = payments.first(where: { $0.status == .approved }) {
            _ = try await move(saga, to: .confirming, SagaChange(paymentID: approved.id), ifPaymentID: saga.paymentID)
        } else {
            _ = try await move(saga, to: .awaitingPayment, SagaChange(paymentID: ""), ifPaymentID: saga.paymentID)
        }
    }
}
