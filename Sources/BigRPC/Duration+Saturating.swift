/// Conversions between durations and plain numbers that never trap.
///
/// Durations arrive from the wire (`timeout_ms`), from command lines and from
/// configuration files; the plain conversions trap on overflow (`Duration`
/// seconds × 10⁹ into an `Int64` of nanoseconds, `Int64(Double)` on a huge,
/// infinite or NaN value). Every conversion of such a value goes through
/// these, which clamp instead: too large becomes ``saturationLimit``, NaN
/// becomes zero.
extension Duration {
    /// The longest duration the saturating conversions produce: `Int64.max`
    /// nanoseconds, about 292 years. Any timer longer than this never fires.
    public static let saturationLimit = Duration.nanoseconds(Int64.max)

    /// The longest timeout a server honours (30 days): a longer `timeout_ms`,
    /// up to `UInt64.max`, counts as this. Far beyond any real call, and far
    /// from any overflow when added to a clock reading.
    public static let maxTimeout = Duration.seconds(30 * 24 * 3600)

    /// `seconds` as a duration, clamped to ±``saturationLimit``; NaN is zero.
    public init(saturatingSeconds seconds: Double) {
        // Int64.max nanoseconds is 9_223_372_036.854775807 s; as a Double
        // that rounds up, so anything from there on is the limit itself.
        let limit = 9_223_372_036.854775807
        if seconds.isNaN {
            self = .zero
        } else if seconds >= limit {
            self = .saturationLimit
        } else if seconds <= -limit {
            self = .zero - .saturationLimit
        } else {
            self = .seconds(seconds)
        }
    }

    /// `milliseconds` as a duration, clamped to ``saturationLimit``.
    public init(saturatingMilliseconds milliseconds: UInt64) {
        // Int64.max nanoseconds is 9_223_372_036_854 whole milliseconds.
        self = .milliseconds(Int64(min(milliseconds, 9_223_372_036_854)))
    }

    /// The duration in whole nanoseconds, rounded toward zero and clamped to
    /// the range of `Int64` (for timers counted in nanoseconds).
    public var saturatingNanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (whole, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        guard !overflow else { return seconds < 0 ? .min : .max }
        let (total, overflowAdding) = whole.addingReportingOverflow(attoseconds / 1_000_000_000)
        guard !overflowAdding else { return seconds < 0 ? .min : .max }
        return total
    }

    /// The duration in whole milliseconds, rounded toward zero and clamped
    /// to the range of `Int64` (for clocks counted in milliseconds).
    public var saturatingMilliseconds: Int64 {
        let (seconds, attoseconds) = components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000)
        if overflow { return seconds < 0 ? .min : .max }
        let (total, sumOverflow) = scaled.addingReportingOverflow(attoseconds / 1_000_000_000_000_000)
        return sumOverflow ? .max : total
    }

    /// The duration in whole milliseconds, rounded up (so that a positive
    /// duration is at least 1 ms), clamped to `0...UInt64.max`: the
    /// `timeout_ms` of a request.
    public var saturatingMillisecondsRoundedUp: UInt64 {
        let (seconds, attoseconds) = components
        guard seconds >= 0, seconds > 0 || attoseconds > 0 else { return 0 }
        let attosecondsPerMillisecond: Int64 = 1_000_000_000_000_000
        let (whole, overflow) = UInt64(seconds).multipliedReportingOverflow(by: 1000)
        guard !overflow else { return .max }
        let fraction = UInt64((attoseconds + attosecondsPerMillisecond - 1) / attosecondsPerMillisecond)
        let (total, overflowAdding) = whole.addingReportingOverflow(fraction)
        return overflowAdding ? .max : total
    }
}
