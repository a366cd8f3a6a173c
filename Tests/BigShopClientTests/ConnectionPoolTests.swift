import BigRPC
import Synchronization
import Testing

@testable import BigShopClient

/// The pool hands calls to its connections in turn.
@Suite struct ConnectionPoolTests {
    /// A transport that only counts the calls it is given, then fails them.
    final class CountingTransport: PooledTransport {
        let calls = Mutex(0)
        let closed = Mutex(false)

        func withStream<Result: Sendable>(
            method: MethodDescriptor,
            metadata: Metadata,
            options: CallOptions,
            _ body: (ClientStream) async throws -> Result
        ) async throws -> Result {
            calls.withLock { $0 += 1 }
            throw RPCError(.unavailable, "counted")
        }

        func close() async {
            closed.withLock { $0 = true }
        }
    }

    @Test func callsGoRoundRobin() async {
        let transports = (0..<3).map { _ in CountingTransport() }
        let pool = ConnectionPool(transports)
        let method = MethodDescriptor(service: "s", method: "m", kind: .unary)
        for _ in 0..<9 {
            _ = try? await pool.withStream(method: method, metadata: [:], options: .defaults) { _ in 0 }
        }
        #expect(transports.map { $0.calls.withLock { $0 } } == [3, 3, 3])
        await pool.close()
        #expect(transports.allSatisfy { $0.closed.withLock { $0 } })
    }
}
