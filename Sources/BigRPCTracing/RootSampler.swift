import Synchronization

/// Decides which of the calls that start a trace are traced: every
/// `1/ratio`-th one, counted with one relaxed atomic increment (no random
/// numbers, no lock).
final class RootSampler: Sendable {
    /// Trace one call in `period`; 0: none.
    private let period: UInt64
    private let calls = Atomic<UInt64>(0)

    init(ratio: Double) {
        precondition((0...1).contains(ratio), "a sample ratio is between 0 and 1")
        period = ratio == 0 ? 0 : UInt64((1 / ratio).rounded())
    }

    /// Whether the next root call is traced.
    func sampleNext() -> Bool {
        guard period > 0 else { return false }
        if period == 1 { return true }
        return calls.wrappingAdd(1, ordering: .relaxed).oldValue % period == 0
    }
}
