import BigRPC
import Synchronization

/// An in-process transport to a server that does not exist yet when the
/// clients are made: services need each other's clients at construction,
/// and the internal server needs the services. Calls made before the server
/// is bound fail with UNAVAILABLE.
final class LateBoundTransport: ClientTransport {
    private let target = Mutex<InProcessTransport?>(nil)

    func bind(to server: RPCServer) {
        target.withLock { $0 = InProcessTransport(server: server) }
    }

    func withStream<Result: Sendable>(
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
