import Synchronization

/// Counts refused or cancelled calls by kind, so that the access log says
/// "N calls refused" once per interval instead of one line per call: under
/// a flood of refusals (the red team's finding F1c, 85 MB in 75 s) one line
/// per call costs more than the refusal itself.
///
/// The first call of a quiet interval is logged as usual; the others in
/// that interval are counted and logged together when it ends.
final class AccessLogTally: Sendable {
    enum Decision: Equatable {
        /// Log this call on its own line.
        case log
        /// Counted; call ``flush(_:)`` at this instant.
        case flushLater(ContinuousClock.Instant)
        /// Counted; a flush is already due.
        case quiet
    }

    struct Tally {
        var count = 0
        var method = ""
        var peer = ""
    }

    private struct Window {
        var started: ContinuousClock.Instant
        var tally = Tally()
        var flushDue = false
    }

    let interval: Duration
    private let windows = Mutex<[String: Window]>([:])

    init(interval: Duration) {
        self.interval = interval
    }

    /// Counts one call of `kind`.
    func record(_ kind: String, method: String, peer: String, at now: ContinuousClock.Instant = .now) -> Decision {
        windows.withLock { windows in
            // (A window past its end whose flush has not run yet still counts.)
            guard var window = windows[kind], now < window.started + interval || window.flushDue else {
                windows[kind] = Window(started: now)
                return .log
            }
            window.tally.count += 1
            window.tally.method = method
            window.tally.peer = peer
            defer { windows[kind] = window }
            if window.flushDue { return .quiet }
            window.flushDue = true
            return .flushLater(window.started + interval)
        }
    }

    /// The calls of `kind` counted since its last line (nil if none); a new
    /// interval starts now.
    func flush(_ kind: String, at now: ContinuousClock.Instant = .now) -> Tally? {
        windows.withLock { windows in
            guard let window = windows[kind], window.tally.count > 0 else { return nil }
            windows[kind] = Window(started: now)
            return window.tally
        }
    }
}
