import BigRPC
import BigRPCTestingProtos
import Testing

/// Everything a client saw of a streaming call's responses, read without
/// throwing so a test can check the responses sent before an error.
struct StreamEnd: Sendable {
    /// The payload sizes of the responses, in order.
    var payloadSizes: [Int] = []
    /// Whether every payload was zero bytes.
    var payloadsAreZero = true
    /// How the call ended: nil for OK.
    var error: RPCError?
    /// The trailers, when the call ended with a status.
    var trailers: Metadata?

    /// Reads `responses` to the end of the call.
    static func read(
        _ responses: RPCResponseStream<Bigrpc_Testing_V1_StreamingOutputCallResponse>
    ) async -> StreamEnd {
        var end = StreamEnd()
        do {
            for try await response in responses {
                end.payloadSizes.append(response.payload.count)
                end.payloadsAreZero = end.payloadsAreZero && response.payload.allSatisfy { $0 == 0 }
            }
        } catch let error as RPCError {
            end.error = error
        } catch {
            Issue.record(error, "a response stream threw something other than an RPCError")
        }
        end.trailers = responses.trailers
        return end
    }
}
