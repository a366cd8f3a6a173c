import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where services get the time: Unix epoch milliseconds, and a way to wait.
///
/// Injected everywhere time matters (payment windows, session expiry, flash
/// sale drops), so tests can run a whole day of drops in seconds with a
/// ``ManualClock``.
public protocol ShopClock: Sendable {
    /// Now, in Unix epoch milliseconds.
    func nowMs() -> Int64
    /// Suspends until ``nowMs()`` reaches `deadlineMs` (or the task is cancelled).
    func sleep(untilMs deadlineMs: Int64) async throws
}

/// The system's wall clock.
public struct SystemClock: ShopClock {
    public init() {}

    public func nowMs() -> Int64 {
        let duration = ContinuousClock.now - SystemClock.anchor.instant
        let (seconds, attoseconds) = duration.components
        return SystemClock.anchor.epochMs + seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }

    public func sleep(untilMs deadlineMs: Int64) async throws {
        let remaining = deadlineMs - nowMs()
        if remaining > 0 {
            try await Task.sleep(for: .milliseconds(remaining))
        }
    }

    /// Wall-clock time read once, then advanced by the monotonic clock, so the
    /// time never jumps backwards when the system clock is adjusted.
    private static let anchor: (epochMs: Int64, instant: ContinuousClock.Instant) = {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return (Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000, ContinuousClock.now)
    }()
}

/// A clock that moves only when told to: for tests that run hours of shop
/// time in milliseconds.
public final class ManualClock: ShopClock {
    private struct Sleeper {
        var deadline: Int64
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var now: Int64
        var nextID: UInt64 = 0
        var sleepers: [UInt64: Sleeper] = [:]
        /// Sleeps cancelled before their continuation was registered.
        var cancelled: Set<UInt64> = []
    }

    private let state: Mutex<State>

    public init(nowMs: Int64) {
        state = Mutex(State(now: nowMs))
    }

    public func nowMs() -> Int64 {
        state.withLock { $0.now }
    }

    /// Moves time forward, waking every sleeper whose deadline has come.
    public func advance(byMs delta: Int64) {
        set(nowMs: nowMs() + delta)
    }

    /// Sets the time (never backwards), waking sleepers whose deadline has come.
    public func set(nowMs: Int64) {
        let due: [CheckedContinuation<Void, any Error>] = state.withLock { state in
            state.now = max(state.now, nowMs)
            let now = state.now
            let dueIDs = state.sleepers.filter { $0.value.deadline <= now }.map(\.key)
            return dueIDs.compactMap { state.sleepers.removeValue(forKey: $0)?.continuation }
        }
        for continuation in due { continuation.resume() }
    }

    public func sleep(untilMs deadlineMs: Int64) async throws {
        let id: UInt64 = state.withLock { state in
            defer { state.nextID += 1 }
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                enum Outcome { case ready, cancelled, waiting }
                let outcome: Outcome = state.withLock { state in
                    if state.cancelled.remove(id) != nil { return .cancelled }
                    if state.now >= deadlineMs { return .ready }
                    state.sleepers[id] = Sleeper(deadline: deadlineMs, continuation: continuation)
                    return .waiting
                }
                switch outcome {
                case .ready: continuation.resume()
                case .cancelled: continuation.resume(throwing: CancellationError())
                case .waiting: break
                }
            }
        } onCancel: {
            let sleeper: Sleeper? = state.withLock { state in
                guard let sleeper = state.sleepers.removeValue(forKey: id) else {
                    state.cancelled.insert(id)
                    return nil
                }
                return sleeper
            }
            sleeper?.continuation.resume(throwing: CancellationError())
        }
    }
}

/// A monotonic instant that moves only when told to: the time source of a
/// ``TokenBucketLimiter`` under test.
public final class ManualInstant: Sendable {
    private let instant = Mutex(ContinuousClock.now)

    public init() {}

    public var now: ContinuousClock.Instant {
        instant.withLock { $0 }
    }

    public func advance(by duration: Duration) {
        instant.withLock { $0 = $0 + duration }
    }
}
