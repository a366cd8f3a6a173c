/// How much load a benchmark applies, and for how long.
struct BenchPlan: Sendable {
    /// Stop after this many calls…
    var total: Int?
    /// …or once this much time has passed (calls in flight then finish).
    var duration: Duration?
    /// Calls in flight at once.
    var concurrency: Int
    /// Calls started per second, across all workers; nil for as fast as possible.
    var rate: Double?
}
