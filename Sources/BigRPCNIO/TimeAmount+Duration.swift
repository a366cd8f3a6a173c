import BigRPC
import NIOCore

extension TimeAmount {
    /// `duration` as a NIO time amount, clamped to what `TimeAmount` holds
    /// (±292 years) instead of trapping: every timer the transport arms from
    /// a duration (a client's timeout, a configured one) goes through this.
    /// NIO saturates a deadline past the end of its clock to `distantFuture`.
    package init(saturating duration: Duration) {
        self = .nanoseconds(duration.saturatingNanoseconds)
    }
}

extension TimeAmount {
    /// "10 s" or "250 ms", for status and GOAWAY messages.
    var roundedDescription: String {
        let milliseconds = nanoseconds / 1_000_000
        return milliseconds % 1000 == 0 ? "\(milliseconds / 1000) s" : "\(milliseconds) ms"
    }
}
