import BigRPC
import BigRPCTestingProtos

extension InteropClient {
    /// The request metadata `custom_metadata` sends; the server must echo
    /// both pairs in the trailers.
    static let echoedMetadata: Metadata = [
        "x-echo-initial": "test_initial_metadata_value",
        "x-echo-trailing": "test_trailing_metadata_value",
    ]

    /// `custom_metadata`: `x-echo-` request metadata comes back in the
    /// trailers of a UnaryCall and of a FullDuplexCall, and of a UnaryCall
    /// that fails, since the server echoes it whatever the outcome.
    func customMetadata() async throws(InteropFailure) {
        let metadata = Self.echoedMetadata

        let unaryRequest = Bigrpc_Testing_V1_SimpleRequest(
            responseSize: Int32(Self.largeResponseSize),
            payload: .zeros(Self.largeRequestSize)
        )
        let (response, unaryTrailers) = try await Expect.success("UnaryCall") {
            try await service.unaryCall(unaryRequest, metadata: metadata) { (try $0.message, $0.trailers) }
        }
        try Expect.zeroPayload(response.payload, size: Self.largeResponseSize, "the UnaryCall response")
        try Expect.trailers(unaryTrailers, contain: metadata, "UnaryCall")

        let duplexRequest = Bigrpc_Testing_V1_StreamingOutputCallRequest(
            responseParameters: [Bigrpc_Testing_V1_ResponseParameters(size: Int32(Self.largeResponseSize))],
            payload: .zeros(Self.largeRequestSize)
        )
        let (payloads, duplexTrailers) = try await Expect.success("FullDuplexCall") {
            try await service.fullDuplexCall(metadata: metadata) { requests, responses in
                try await requests.write(duplexRequest, isLast: true)
                let payloads = try await responses.payloads()
                return (payloads, responses.trailers)
            }
        }
        try Expect.zeroPayloads(payloads, sizes: [Self.largeResponseSize], "FullDuplexCall")
        try Expect.trailers(duplexTrailers, contain: metadata, "FullDuplexCall")

        let failingRequest = Bigrpc_Testing_V1_SimpleRequest(
            responseStatus: Bigrpc_Testing_V1_EchoStatus(code: StatusCode.unknown.rawValue, message: Self.testStatusMessage)
        )
        let error = try await Expect.failure("UnaryCall asking for UNKNOWN", code: .unknown) {
            try await service.unaryCall(failingRequest, metadata: metadata)
        }
        try Expect.trailers(error.metadata, contain: metadata, "UnaryCall asking for UNKNOWN")
    }
}
