import BigRPC
import Metrics

/// The checkout saga's metrics (docs/OPERATIONS.md, "Metrics"):
///
/// - `bigshop_checkouts_total{kind,outcome}`: sagas started, `kind` `cart`
///   (Orders.Checkout) or `hold` (a flash-sale Reserve), by outcome: `OK`
///   (an order awaiting payment) or the refusal's reason (or status code);
/// - `bigshop_payments_total{outcome}`: payment attempts ended, `approved`
///   or `declined`, and `refused` when the order could not take it;
/// - `bigshop_saga_transitions_total{kind,to}`: saga state changes, by the
///   state entered (`confirmed`, `cancelled`, …);
/// - `bigshop_saga_expired_total{kind}`: orders cancelled because their
///   payment window closed (for `kind="hold"`: flash-sale holds expired);
/// - `bigshop_saga_steps_total{step,outcome}`: calls to other services,
///   `ok`, `retried` (a failure that may pass, tried again) or `failed`;
/// - `bigshop_saga_compensations_total{step}`: compensating steps done
///   (stock or hold released, order abandoned).
enum SagaMetrics {
    static let checkouts = "bigshop_checkouts_total"
    static let payments = "bigshop_payments_total"
    static let transitions = "bigshop_saga_transitions_total"
    static let expired = "bigshop_saga_expired_total"
    static let steps = "bigshop_saga_steps_total"
    static let compensations = "bigshop_saga_compensations_total"

    /// The steps that undo an earlier one.
    static let compensatingSteps: Set<String> = ["ReleaseStock", "ReleaseHold", "AbandonOrder", "AbortInterruptedPayments"]

    static func checkout(kind: String, outcome: String) {
        Counter(label: checkouts, dimensions: [("kind", kind), ("outcome", outcome)]).increment()
    }

    /// The outcome label of a failed call: its `reason` trailer, else its code.
    static func outcome(of error: any Error) -> String {
        guard let error = error as? RPCError else { return "INTERNAL" }
        return error.metadata["reason"] ?? error.code.name
    }

    static func payment(_ outcome: String) {
        Counter(label: payments, dimensions: [("outcome", outcome)]).increment()
    }

    static func transition(kind: String, to state: String) {
        Counter(label: transitions, dimensions: [("kind", kind), ("to", state)]).increment()
    }

    static func expiry(kind: String) {
        Counter(label: expired, dimensions: [("kind", kind)]).increment()
    }

    static func step(_ step: String, outcome: String) {
        Counter(label: steps, dimensions: [("step", step), ("outcome", outcome)]).increment()
        if outcome == "ok", compensatingSteps.contains(step) {
            Counter(label: compensations, dimensions: [("step", step)]).increment()
        }
    }
}
