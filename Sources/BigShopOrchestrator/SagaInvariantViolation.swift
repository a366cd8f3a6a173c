/// A saga found in a state its invariants forbid, e.g. confirming an order
/// on a payment that is not APPROVED. Never retried: the saga stays where it
/// is, logged, until someone looks.
struct SagaInvariantViolation: Error, CustomStringConvertible {
    let description: String
}
