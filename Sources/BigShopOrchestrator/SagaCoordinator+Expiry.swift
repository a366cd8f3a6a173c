extension SagaCoordinator {
    /// Sagas expired per batch of one scan.
    private static let expiryBatchSize = 100

    /// Cancels, until stopped, every order whose payment window closes
    /// unpaid: sleeps until the earliest payment due (at most
    /// ``OrchestratorSettings/expiryScanInterval``, and less when a new due
    /// comes sooner), then expires what is due. Returns when its task is
    /// cancelled.
    func runExpiryScanner() async {
        while !Task.isCancelled {
            alarm.beginScan()
            var earliestDue: Int64?
            do {
                try await expireDuePayments()
                earliestDue = try await store.earliestDueMs()
            } catch  where Self.isCancellation(error) {
                return
            } catch {
                logger.error("expiry scan failed", metadata: ["error": "\(error)"])
            }
            let wakeAt = min(earliestDue ?? .max, clock.nowMs().addingSaturated(settings.expiryScanIntervalMs))
            do {
                try await alarm.sleep(untilMs: wakeAt, clock: clock)
            } catch {
                return
            }
        }
    }

    /// `awaiting_payment` → `cancelling` (reason `PAYMENT_EXPIRED`) →
    /// `cancelled` for every saga due now. A `paying` saga is never expired:
    /// its attempt decides (a decline after the due cancels it).
    func expireDuePayments() async throws {
        while true {
            let due = try await store.sagasDue(atMs: clock.nowMs(), limit: Self.expiryBatchSize)
            if due.isEmpty { return }
            for saga in due {
                let change = SagaChange(reason: CheckoutSagaReason.paymentExpired)
                guard try await move(saga, to: .cancelling, change) else { continue }
                SagaMetrics.expiry(kind: saga.kind.rawValue)
                await settleLoggingFailure(saga.orderID)
                try Task.checkCancellation()
            }
        }
    }
}
