/// Told by ``BigRPCClientTransport`` what happens to its connections, for
/// metrics: the client's side of ``ServerTransportObserver``.
///
/// The transport stays free of any metrics library: `BigRPCMetrics`
/// implements this with swift-metrics. Every method is called on an event
/// loop, so it must return quickly and never block. One observer may serve
/// several transports (every address of a ``DNSResolvingTransport``, or
/// every peer of one service), which then count together.
public protocol ClientTransportObserver: Sendable {
    /// A connection was made and is ready for calls (its TLS handshake, if
    /// any, done). Each is followed by exactly one ``connectionClosed()``.
    func connectionOpened()
    /// A connection that ``connectionOpened()`` reported closed, for any
    /// reason: closed by this side, by the server, or lost.
    func connectionClosed()
}
