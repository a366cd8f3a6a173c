extension Duration {
    /// The duration in whole milliseconds, rounded up (so a wait is never
    /// reported shorter than it is).
    var wholeMillisecondsRoundedUp: Int64 {
        let (seconds, attoseconds) = components
        let perMillisecond: Int64 = 1_000_000_000_000_000
        let (milliseconds, remainder) = attoseconds.quotientAndRemainder(dividingBy: perMillisecond)
        return seconds * 1000 + milliseconds + (remainder > 0 ? 1 : 0)
    }
}
