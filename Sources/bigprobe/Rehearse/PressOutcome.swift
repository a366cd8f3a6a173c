import BigRPC
import BigShopFlashSaleAPI

/// How the shop answered one press of Reserve.
struct PressOutcome: Sendable {
    /// The answer, by the name a report gives it.
    enum Answer: Hashable, Sendable, CustomStringConvertible {
        case granted
        case soldOut
        case limitReached
        /// The gateway's per-user or per-address limits (RESOURCE_EXHAUSTED
        /// with a `reason`).
        case rateLimited
        /// Still NO_ACTIVE_DROP after retrying until the drop's end.
        case noActiveDrop
        /// Any other status, by name.
        case failed(String)

        var description: String {
            switch self {
            case .granted: "GRANTED"
            case .soldOut: "SOLD_OUT"
            case .limitReached: "LIMIT_REACHED"
            case .rateLimited: "RATE_LIMITED"
            case .noActiveDrop: "NO_ACTIVE_DROP"
            case .failed(let name): name
            }
        }

        init(_ error: RPCError) {
            switch (error.code, error.metadata[Metadata.reasonKey]) {
            case (.failedPrecondition, "SOLD_OUT"): self = .soldOut
            case (.failedPrecondition, "NO_ACTIVE_DROP"): self = .noActiveDrop
            case (.alreadyExists, "LIMIT_REACHED"): self = .limitReached
            // With a reason: a gateway budget; without: a transport one
            // (open streams or connections per address), named by its code.
            case (.resourceExhausted, .some): self = .rateLimited
            default: self = .failed(error.code.name)
            }
        }
    }

    /// The customer's index.
    var customer: Int
    var answer: Answer
    /// From the press to its answer (the last attempt's, for a press sent
    /// again after NO_ACTIVE_DROP).
    var latency: Duration
    /// When the answer came, from the drop's opening.
    var answeredAfterOpen: Duration
    /// The hold, when granted.
    var reservation: Bigshop_Flashsale_V1_Reservation?
    /// How many times the press was sent again because the drop was not
    /// open yet on the server's clock.
    var earlyRetries = 0
}
