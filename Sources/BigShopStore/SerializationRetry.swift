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
    /// Attempts before the last error is passed on; at 40 attempts the pauses add up to
    /// about a second, far beyond any real contention.
    static let maxAttempts = 40

    static func run<T>(_ body: () throws -> T) throws -> T {
        var attempt = 1
        while true {
            do {
                return try body()
            } catch let error as PostgresError where error.isRetryable && attempt < maxAttempts {
                pause(beforeAttempt: attempt + 1)
                attempt += 1
            }
        }
    }

    /// Up to `attempt` × 0.5 ms, random, so that racing replicas spread out.
    static func pause(beforeAttempt attempt: Int) {
        let micros = UInt32.random(in: 0...UInt32(min(attempt, 20) * 500))
        usleep(micros)
    }
}
