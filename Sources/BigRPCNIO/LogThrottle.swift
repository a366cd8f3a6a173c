import NIOCore

/// Turns a burst of events (failed accepts, refused connections) into at
/// most one log line per interval, each saying how many events it stands for:
/// an attack must neither go unlogged nor fill the disk.
///
/// The first event of a quiet period is logged at once; later ones within
/// the interval are counted, and the owner flushes them when the interval
/// ends (``record(at:)`` says when to).
struct LogThrottle {
    enum Decision: Equatable {
        /// Log now, for this many events.
        case log(count: Int)
        /// Say nothing now; call ``flush(at:)`` at this time.
        case flushLater(at: NIODeadline)
        /// Say nothing; a flush is already due.
        case quiet
    }

    let interval: TimeAmount
    /// When the current interval began (the last line logged).
    private var lastLogged: NIODeadline?
    private var pending = 0
    private var flushDue = false

    init(interval: TimeAmount) {
        self.interval = interval
    }

    /// Counts one event at `now`.
    mutating func record(at now: NIODeadline) -> Decision {
        pending += 1
        if let lastLogged, now < lastLogged + interval {
            if flushDue { return .quiet }
            flushDue = true
            return .flushLater(at: lastLogged + interval)
        }
        lastLogged = now
        defer { pending = 0 }
        return .log(count: pending)
    }

    /// The events counted since the last line, to log now (nil if none).
    mutating func flush(at now: NIODeadline) -> Int? {
        flushDue = false
        guard pending > 0 else { return nil }
        lastLogged = now
        defer { pending = 0 }
        return pending
    }
}
