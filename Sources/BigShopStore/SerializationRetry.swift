#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Runs a PostgreSQL transaction again when it lost a race with another one.
///
/// Write transactions on PostgreSQL are SERIALIZABLE: when two replicas touch the same
/// rows, one of them fails with `serialization_failure` (40001) or `deadlock_detected`
/// (40P01) and nothing it did is kept. Running the whole body again on a fresh snapshot is
/// then correct, so callers never see those codes. Bodies are synchronous database work on
/// a database thread, so the short pause between attempts blocks only that thread.
enum SerializationRetry {
    /// Attempts before the last error is passed on. Under heavy contention (hundreds of
    /// concurrent checkouts over two replicas) PostgreSQL's page-level predicate locks
    /// make unrelated transactions conflict too, so the budget is generous: the pauses
    /// grow to 50 ms and add up to several seconds at most.
    static let maxAttempts = 100

    /// Times a transaction runs again on a new connection after its own died.
    static let maxReconnectAttempts = 3

    /// Runs `body` until it does not lose a race, and again on a new connection when its
    /// connection died before COMMIT (nothing of it was written). A read-only body also
    /// runs again when the connection died during its COMMIT: it wrote nothing either way.
    static func run<T>(readOnly: Bool = false, _ body: () throws -> T) throws -> T {
        var attempt = 1
        var reconnects = 0
        while true {
            do {
                return try body()
            } catch let error as PostgresError where error.isRetryable && attempt < maxAttempts {
                pause(beforeAttempt: attempt + 1)
                attempt += 1
            } catch let error as PostgresError
                where (error.isConnectionLostBeforeCommit || (readOnly && error.isConnectionFailure))
                && reconnects < maxReconnectAttempts
            {
                // The session reconnects (waiting for a restarting server) on the next statement.
                reconnects += 1
            }
        }
    }

    /// Between half and all of `attempt`² × 0.25 ms (at most 50 ms), random, so that
    /// racing replicas spread out more the longer they keep colliding.
    static func pause(beforeAttempt attempt: Int) {
        let cap = UInt32(min(50_000, 250 * attempt * attempt))
        usleep(UInt32.random(in: (cap / 2)...cap))
    }
}
