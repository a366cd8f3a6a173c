import BigRPC
import Metrics
import Synchronization

/// What a gateway's admission did with Reserves, before the owner saw them.
public struct AdmissionCounts: Sendable, Hashable {
    /// Sent on to the owner at once.
    public var admitted = 0
    /// Sent on to the owner after waiting their turn.
    public var queued = 0
    /// Answered by the gateway itself.
    public var soldOut = 0
    public var noActiveDrop = 0
    public var queueFull = 0
}

/// `bigshop_gateway_reserve_admission_total{outcome}`, and the same counts
/// for ``DropAdmission/counts``.
final class AdmissionMetrics: Sendable {
    static let name = "bigshop_gateway_reserve_admission_total"

    private let counters = [
        "admitted", "queued", "SOLD_OUT", "NO_ACTIVE_DROP", "QUEUE_FULL",
    ].map { Counter(label: AdmissionMetrics.name, dimensions: [("outcome", $0)]) }
    private let counts = Mutex(AdmissionCounts())

    func admitted() {
        counters[0].increment()
        counts.withLock { $0.admitted += 1 }
    }

    func queued() {
        counters[1].increment()
        counts.withLock { $0.queued += 1 }
    }

    func refused(_ refusal: RPCError) {
        switch refusal.metadata["reason"] {
        case "SOLD_OUT":
            counters[2].increment()
            counts.withLock { $0.soldOut += 1 }
        case "NO_ACTIVE_DROP":
            counters[3].increment()
            counts.withLock { $0.noActiveDrop += 1 }
        default:
            counters[4].increment()
            counts.withLock { $0.queueFull += 1 }
        }
    }

    var snapshot: AdmissionCounts { counts.withLock { $0 } }
}
