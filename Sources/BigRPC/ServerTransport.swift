/// Accepts calls and hands each to an ``RPCServer``, which routes and runs
/// it: grpc-swift 2's `ServerTransport`. The transport owns connections,
/// framing and their limits; it knows nothing of services.
public protocol ServerTransport: Sendable {
    /// Accepts calls and runs each with ``RPCServer/handle(_:)`` until a
    /// graceful shutdown has finished the calls already accepted. Cancelling
    /// the calling task ends every call at once.
    func listen(_ server: RPCServer) async throws

    /// Stops accepting calls; ``listen(_:)`` returns once the calls already
    /// accepted have finished. Harmless before ``listen(_:)`` and after.
    func beginGracefulShutdown()
}
