import BigRPC
import BigRPCNIO
import Synchronization

/// A connection the pool can close.
protocol PooledTransport: ClientTransport {
    /// Closes the connection; calls in flight fail with UNAVAILABLE.
    func close() async
}

extension BigRPCClientTransport: PooledTransport {}

/// A few connections to one server, taking calls in turn (round robin), so
/// one slow or lost connection does not hold up every call.
final class ConnectionPool: ClientTransport {
    private let transports: [any PooledTransport]
    private let turn = Atomic<Int>(0)

    init(_ transports: [any PooledTransport]) {
        precondition(!transports.isEmpty, "a pool needs at least one connection")
        self.transports = transports
    }

    func withStream<Result: Sendable>(
        method: MethodDescriptor,
        metadata: Metadata,
        options: CallOptions,
        _ body: (ClientStream) async throws -> Result
    ) async throws -> Result {
        let index = turn.wrappingAdd(1, ordering: .relaxed).oldValue
        let transport = transports[Int(UInt(bitPattern: index) % UInt(transports.count))]
        return try await transport.withStream(method: method, metadata: metadata, options: options, body)
    }

    /// Closes every connection; calls in flight fail with UNAVAILABLE.
    func close() async {
        for transport in transports { await transport.close() }
    }
}
