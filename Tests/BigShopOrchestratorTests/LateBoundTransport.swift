import BigRPC
import Synchronization

/// An in-process transport to a server built after the clients that call
/// it: the services call each other (orders → saga → ledger), so their
/// clients exist before the one server holding them all.
final class LateBoundTransport: ClientTransport {
    private let server = Mutex<RPCServer?>(nil)

    func bind(_ server: RPCServer) {
        self.server.withLock { $0 = server }
    }

    func withStream<Result: Sendable>(
        method: MethodDescriptor,
        metadata: Metadata,
        options: CallOptions,
        _ body: (ClientStream) async throws -> Result
    ) async throws -> Result {
        guard let server = server.withLock({ $0 }) else { throw RPCError(.unavailable, "no server bound yet") }
        return try await InProcessTransport(server: server).withStream(
            method: method, metadata: metadata, options: options, body)
    }
}
