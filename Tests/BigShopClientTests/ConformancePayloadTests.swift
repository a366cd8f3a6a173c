import BigRPC
import BigRPCTestingProtos
import BigShopClient
import BigShopServerTestSupport
import Testing

/// The shop's public port takes 64 KiB messages by default, but with the
/// conformance service on it keeps the protocol's 4 MiB, so the interop
/// cases (large_unary sends 271,828 bytes) pass against `bigshop serve --conformance`.
@Suite(.timeLimit(.minutes(1)))
struct ConformancePayloadTests {
    @Test func largeUnaryPassesAgainstTheShopWithConformanceOn() async throws {
        try await withDemoShop { shop in
            let client = BigShopClient(host: "127.0.0.1", port: shop.port)
            let response = try await client.rpcClient.unary(
                request: Bigrpc_Testing_V1_SimpleRequest(responseSize: 314_159, payload: [UInt8](repeating: 0, count: 271_828)),
                method: Bigrpc_Testing_V1_TestService.Method.unaryCall,
                responseType: Bigrpc_Testing_V1_SimpleResponse.self
            )
            #expect(try response.result.get().payload.count == 314_159)
            await client.close()
        }
    }
}
