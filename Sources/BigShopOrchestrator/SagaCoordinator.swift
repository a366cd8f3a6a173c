import BigRPC
import BigShopOrdersAPI
import BigShopServiceKit
import Logging

/// Drives every checkout saga through the states of `docs/CHECKOUT.md`.
///
/// Each flow decides with a compare-and-set transition written before the
/// side effects it leads to, then runs the steps of the new state, which are
/// idempotent; ``settle(_:)`` is the one place that knows the steps of each
/// state, for live flows and recovery alike. The flows live in extensions:
/// checkout and holds, payments, cancellation, recovery and expiry.
final class SagaCoordinator: Sendable {
    let store: SagaStore
    let steps: SagaSteps
    let clock: any ShopClock
    let settings: OrchestratorSettings
    let logger: Logger
    let alarm = ExpiryAlarm()
    /// The flows, shielded from their callers; a shutdown cancels them (as a
    /// crash would: the next recovery resumes them).
    let work = ServiceWork(onShutdown: .cancel)
    let flights: SingleFlight<Bigshop_Orders_V1_Order>

    init(store: SagaStore, steps: SagaSteps, clock: any ShopClock, settings: OrchestratorSettings, logger: Logger) {
        self.store = store
        self.steps = steps
        self.clock = clock
        self.settings = settings
        self.logger = logger
        self.flights = SingleFlight(work: work)
    }

    /// Runs `body` as the orchestrator's own work, so that a caller who
    /// goes away (cancellation, deadline) never stops a flow half-way.
    func shielded<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try await work.perform(body)
    }

    // MARK: Transitions

    /// Moves `saga` to `state` if it is still where `saga` says (and, with
    /// `paymentID`, still on that payment), logging the move. Returns
    /// whether it moved: false means another flow moved it first.
    func move(
        _ saga: SagaRecord,
        to state: SagaState,
        _ change: SagaChange = SagaChange(),
        ifPaymentID paymentID: String? = nil
    ) async throws -> Bool {
        let moved = try await store.transition(
            saga.orderID, from: saga.state, to: state, change: change, ifPaymentID: paymentID, nowMs: clock.nowMs())
        guard moved else { return false }
        SagaMetrics.transition(kind: saga.kind.rawValue, to: state.rawValue)
        logger.info(
            "saga \(saga.state.rawValue) -> \(state.rawValue)",
            metadata: [
                "order-id": "\(saga.orderID)", "kind": "\(saga.kind.rawValue)",
                "reason": "\(change.reason ?? saga.reason)", "payment-id": "\(change.paymentID ?? saga.paymentID)",
            ])
        if state == .awaitingPayment {
            alarm.nudge(dueAtMs: change.paymentDueAtMs ?? saga.paymentDueAtMs)
        }
        return true
    }

    /// The saga of `orderID`; NOT_FOUND if there is none.
    func load(_ orderID: String) async throws -> SagaRecord {
        guard let saga = try await store.saga(orderID) else {
            throw RPCError(.notFound, "order \(orderID.statusPrefix()) not found")
        }
        return saga
    }

    // MARK: Settling

    /// Runs the steps of the saga's state, and of each state they lead to,
    /// until it rests (awaiting payment, paying, or over), and returns it.
    ///
    /// Steps that fail for a reason that may pass are retried until they
    /// succeed; one refused for good (a broken invariant) is logged and ends
    /// this call with INTERNAL, leaving the saga where it is for the next
    /// recovery.
    @discardableResult
    ///
    /// - Parameter rollingForward: recovery's choice for a saga in `creating`
    ///   whose order does not exist: create it (CreateOrder is idempotent per
    ///   order id, so a dead process's late call changes nothing) instead of
    ///   releasing units that order may yet claim.
    func settle(_ orderID: String, rollingForward: Bool = false) async throws -> SagaRecord {
        let settled: SagaRecord?
        do {
            settled = try await steps.runner.run("settle", orderID: orderID, .untilDone) {
                try await self.advance(orderID, rollingForward: rollingForward)
            }
        } catch  where !Self.isCancellation(error) {
            logger.error(
                "saga cannot proceed; it stays in its state until the next recovery",
                metadata: [
                    "order-id": "\(orderID)", "error": "\(error)",
                ])
            throw RPCError(.internal, "order \(orderID) could not be settled")
        }
        guard let settled else { throw RPCError(.notFound, "order \(orderID.statusPrefix()) not found") }
        return settled
    }

    /// Settles `orderID` as work of its own, logging a failure.
    func settleInBackground(_ orderID: String) {
        work.start { await self.settleLoggingFailure(orderID) }
    }

    /// Settles `orderID`; a failure is logged (by ``settle(_:)``), not thrown.
    func settleLoggingFailure(_ orderID: String) async {
        do {
            try await settle(orderID)
        } catch {
            // settle logged why; the saga waits for the next recovery.
        }
    }

    /// Creates the order of a recovered saga in `creating`. `false` if Orders
    /// refuses it for good (the units are then released); a failure that may
    /// pass is thrown, and the saga waits for the next recovery.
    private func rollForward(_ saga: SagaRecord) async throws -> Bool {
        do {
            _ = try await steps.createOrder(saga)
            return true
        } catch let error as RPCError where !StepRunner.mayPass(error) {
            logger.warning("recovered order refused", metadata: ["order-id": "\(saga.orderID)", "error": "\(error)"])
            return false
        }
    }

    /// The state machine: one state's steps per turn; nil if there is no saga.
    private func advance(_ orderID: String, rollingForward: Bool) async throws -> SagaRecord? {
        while true {
            guard let saga = try await store.saga(orderID) else { return nil }
            switch saga.state {
            case .awaitingPayment, .paying, .confirmed, .cancelled, .failed:
                return saga
            case .reserving:
                try await steps.releaseUnits(saga)
                _ = try await move(saga, to: .failed, Self.failure(CheckoutSagaReason.interrupted))
            case .creating:
                if try await steps.order(orderID) != nil {
                    _ = try await move(saga, to: .awaitingPayment)
                } else if rollingForward, try await rollForward(saga) {
                    _ = try await move(saga, to: .awaitingPayment)
                } else {
                    try await steps.releaseUnits(saga)
                    _ = try await move(saga, to: .failed, Self.failure(CheckoutSagaReason.interrupted))
                }
            case .confirming:
                let payments = try await steps.payments(of: orderID)
                guard payments.contains(where: { $0.id == saga.paymentID && $0.status == .approved }) else {
                    throw SagaInvariantViolation(description: "payment \(saga.paymentID) is not approved")
                }
                try await steps.commitUnits(saga)
                try await steps.confirmOrder(orderID)
                try await steps.closePayments(orderID)
                _ = try await move(saga, to: .confirmed)
            case .cancelling:
                try await steps.closePayments(orderID)
                try await steps.abandonOrder(orderID, reason: saga.reason)
                try await steps.releaseUnits(saga)
                _ = try await move(saga, to: .cancelled)
            }
        }
    }

    /// The change into `failed`: a failed checkout made no order, so its
    /// idempotency key is freed for a new attempt.
    static func failure(_ reason: String) -> SagaChange {
        SagaChange(reason: reason, releasesIdempotencyKey: true)
    }

    // MARK: Answers

    /// The order of a settled saga; a saga that made none is refused with
    /// ABORTED reason `CHECKOUT_FAILED`.
    func answer(_ saga: SagaRecord) async throws -> Bigshop_Orders_V1_Order {
        guard saga.state != .failed else {
            throw RPCError.refused(
                CheckoutSagaReason.checkoutFailed, "order \(saga.orderID) could not be made", code: .aborted)
        }
        guard let order = try await steps.order(saga.orderID) else {
            logger.error("saga has no order", metadata: ["order-id": "\(saga.orderID)", "state": "\(saga.state.rawValue)"])
            throw RPCError(.internal, "order \(saga.orderID) is missing")
        }
        return order
    }

    static func notPayable(_ orderID: String, _ why: String) -> RPCError {
        RPCError.refused(CheckoutSagaReason.notPayable, "order \(orderID.statusPrefix()) cannot be paid: \(why)")
    }

    /// Whether `error` only says that the running task was cancelled.
    static func isCancellation(_ error: any Error) -> Bool {
        error is CancellationError || Task.isCancelled
    }
}
