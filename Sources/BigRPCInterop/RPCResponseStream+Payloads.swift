import BigRPC
import BigRPCTestingProtos

extension RPCResponseStream where Message == Bigrpc_Testing_V1_StreamingOutputCallResponse {
    /// Reads the responses to the end of the call and returns their payloads,
    /// in order; throws the call's ``RPCError`` if it does not end with OK.
    func payloads() async throws -> [[UInt8]] {
        try await reduce(into: []) { payloads, response in
            payloads.append(response.payload)
        }
    }
}
