public import BigRPC
import Synchronization

/// An in-process transport to a server built after the clients that call
/// it: services call each other (orders → saga → ledger), so their clients
/// exist before the one server holding them all. Calls made before
/// ``bind(to:)`` fail with UNAVAILABLE.
public final class LateBoundTransport: ClientTransport {
    private let target = Mutex<InProcessTransport?>(nil)

    public init() {}

    /// Routes every later call to `server`.
    public func bind(to server: RPCServer) {
        target.withLock { $0 = InProcessTransport(server: server) }
    }

    public func withStream<Result: Sendable>(
        method: MethodDescriptor,
        metadata: Metadata,
        options: CallOptions,
        _ body: (ClientStream) async throws -> Result
    ) async throws -> Result {
        guard let transport = target.withLock({ $0 }) else {
            throw RPCError(.unavailable, "the internal services are not running yet")
        }
        return try await transport.withStream(method: method, metadata: metadata, options: options, body)
    }
}
