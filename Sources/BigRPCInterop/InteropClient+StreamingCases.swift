import BigRPC
import BigRPCTestingProtos

extension InteropClient {
    /// `client_streaming`: StreamingInputCall with payloads of 27182, 8,
    /// 1828 and 45904 bytes returns an aggregated size of 74922.
    func clientStreaming() async throws(InteropFailure) {
        let response = try await Expect.success("StreamingInputCall") {
            try await service.streamingInputCall { requests in
                for size in Self.requestSizes {
                    try await requests.write(Bigrpc_Testing_V1_StreamingInputCallRequest(payload: .zeros(size)))
                }
            }
        }
        try Expect.equal(
            response.aggregatedPayloadSize,
            Self.aggregatedRequestSize,
            "the aggregated_payload_size of StreamingInputCall"
        )
    }

    /// `server_streaming`: StreamingOutputCall returns responses of 31415,
    /// 9, 2653 and 58979 zero bytes, in order, then OK.
    func serverStreaming() async throws(InteropFailure) {
        let request = Bigrpc_Testing_V1_StreamingOutputCallRequest(
            responseParameters: Self.responseSizes.map { Bigrpc_Testing_V1_ResponseParameters(size: Int32($0)) }
        )
        let payloads = try await Expect.success("StreamingOutputCall") {
            try await service.streamingOutputCall(request) { responses in
                try await responses.payloads()
            }
        }
        try Expect.zeroPayloads(payloads, sizes: Self.responseSizes, "StreamingOutputCall")
    }

    /// `ping_pong`: FullDuplexCall answers each of four requests before the
    /// client sends the next, then ends with OK once the client half-closed.
    ///
    /// BigRPC half-closes only with the END_STREAM flag of a request, so the
    /// fourth request carries it, where gRPC's client half-closes after the
    /// fourth response.
    func pingPong() async throws(InteropFailure) {
        let payloads = try await Expect.success("FullDuplexCall") {
            try await service.fullDuplexCall { requests, responses in
                var received: [[UInt8]] = []
                var iterator = responses.makeAsyncIterator()
                let exchanges = zip(Self.requestSizes, Self.responseSizes).enumerated()
                for (index, (requestSize, responseSize)) in exchanges {
                    try await requests.write(
                        Bigrpc_Testing_V1_StreamingOutputCallRequest(
                            responseParameters: [Bigrpc_Testing_V1_ResponseParameters(size: Int32(responseSize))],
                            payload: .zeros(requestSize)
                        ),
                        isLast: index == Self.requestSizes.count - 1
                    )
                    // The server ended the call early: the count check reports it.
                    guard let response = try await iterator.next() else { return received }
                    received.append(response.payload)
                }
                while let extra = try await iterator.next() {
                    received.append(extra.payload)
                }
                return received
            }
        }
        try Expect.zeroPayloads(payloads, sizes: Self.responseSizes, "FullDuplexCall")
    }

    /// `empty_stream`: FullDuplexCall with no requests ends with OK and no
    /// responses.
    func emptyStream() async throws(InteropFailure) {
        let payloads = try await Expect.success("FullDuplexCall") {
            try await service.fullDuplexCall { requests, responses in
                try await requests.finish()
                return try await responses.payloads()
            }
        }
        try Expect.zeroPayloads(payloads, sizes: [], "FullDuplexCall")
    }
}
