import BigRPC
import BigShopStore
import Logging

/// Runs one saga step, a call to another service, under the ``StepRetry``
/// policy.
struct StepRunner: Sendable {
    let retry: StepRetry
    let logger: Logger

    /// How many times a step is tried.
    enum Persistence {
        /// ``StepRetry/forwardAttempts`` times.
        case forward
        /// Until it succeeds or fails for good.
        case untilDone
    }

    /// Runs `call` (a step of order `orderID`, if it has one yet); a failure
    /// that may pass is retried per `persistence`, any other is thrown at
    /// once. Cancellation stops the retries with `CancellationError`.
    func run<T: Sendable>(
        _ step: String,
        orderID: String?,
        _ persistence: Persistence,
        _ call: () async throws -> T
    ) async throws -> T {
        var delay = retry.firstDelay
        var attempt = 1
        while true {
            do {
                let result = try await call()
                SagaMetrics.step(step, outcome: "ok")
                return result
            } catch {
                if Task.isCancelled { throw CancellationError() }
                guard Self.mayPass(error), !(persistence == .forward && attempt >= retry.forwardAttempts) else {
                    SagaMetrics.step(step, outcome: "failed")
                    throw error
                }
                SagaMetrics.step(step, outcome: "retried")
                var metadata: Logger.Metadata = ["step": "\(step)", "attempt": "\(attempt)", "error": "\(error)"]
                if let orderID { metadata["order-id"] = "\(orderID)" }
                logger.warning("saga step failed; retrying", metadata: metadata)
            }
            try await Task.sleep(for: delay)
            delay = min(delay * 2, retry.maxDelay)
            attempt += 1
        }
    }

    /// Whether `error` may not happen again: the other service was down,
    /// overloaded or failed internally, or the saga log's disk was busy or
    /// full. Refusals (FAILED_PRECONDITION, NOT_FOUND, INVALID_ARGUMENT, …)
    /// are answers, not failures, and so are constraint violations.
    static func mayPass(_ error: any Error) -> Bool {
        switch error {
        case let error as RPCError:
            switch error.code {
            case .unavailable, .internal, .deadlineExceeded, .resourceExhausted, .aborted, .unknown, .cancelled:
                return true
            default:
                return false
            }
        case let error as SQLiteError:
            return !error.isConstraintViolation
        case let error as PostgresError:
            return !error.isConstraintViolation
        default:
            return false
        }
    }
}
