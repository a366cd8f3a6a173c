import BigRPC
import BigShopServiceKit
import BigShopStore
import Testing

@Suite struct StoreFailureInterceptorTests {
    let context = ServerContext(
        method: MethodDescriptor(service: "t.T", method: "M", kind: .unary), metadata: [:], deadline: nil, peer: "127.0.0.1:1", requestID: "r")

    func outcome(of error: any Error) async -> (any Error)? {
        do {
            try await StoreFailureInterceptor(retryAfterMs: 250).intercept(context: context) { _ in throw error }
            return nil
        } catch {
            return error
        }
    }

    @Test func anUnreachableDatabaseIsUnavailable() async throws {
        let lost = await outcome(of: PostgresError(sqlState: "08006", message: "gone"))
        let rpc = try #require(lost as? RPCError)
        #expect(rpc.code == .unavailable)
        #expect(rpc.metadata[Metadata.retryAfterKey] == "250")
        let unknown = try #require(await outcome(of: PostgresError(sqlState: "08007", message: "gone")) as? RPCError)
        #expect(unknown.code == .unavailable)
        #expect(unknown.message.contains("may have been applied"))
        #expect((await outcome(of: StoreError.databaseClosed) as? RPCError)?.code == .unavailable)
    }

    @Test func otherErrorsPassUnchanged() async throws {
        #expect(await outcome(of: PostgresError(sqlState: "23505", message: "dup")) as? PostgresError != nil)
        #expect((await outcome(of: RPCError(.notFound, "x")) as? RPCError)?.code == .notFound)
    }
}
