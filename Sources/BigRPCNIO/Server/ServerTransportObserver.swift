import BigRPC

/// Told by ``BigRPCServer`` what happens to its connections, for metrics.
///
/// The transport stays free of any metrics library: `BigRPCMetrics`
/// implements this with swift-metrics, and anyone may implement it with
/// something else. Every method is called on an event loop, so it must
/// return quickly and never block.
public protocol ServerTransportObserver: Sendable {
    /// A connection was accepted and counted against the caps.
    func connectionOpened()
    /// An accepted connection closed, for any reason.
    func connectionClosed()
    /// A connection was accepted and closed at once because a cap was reached.
    func connectionRefused()
    /// A peer broke the protocol: the connection gets GOAWAY with `code` and closes.
    func protocolViolation(_ violation: ProtocolViolation)
}
