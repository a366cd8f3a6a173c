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
        // A ratio so small that its period passes UInt64 samples nothing
        // in practice: cap it instead of trapping on the conversion.
        period = ratio == 0 ? 0 : UInt64(min((1 / ratio).rounded(), Double(UInt64.max / 2)))
    }

    /// Whether the next root call is traced.
    func sampleNext() -> Bool {
        guard period > 0 else { return false }
        if period == 1 { return true }
        return calls.wrappingAdd(1, ordering: .relaxed).oldValue % period == 0
    }
}
