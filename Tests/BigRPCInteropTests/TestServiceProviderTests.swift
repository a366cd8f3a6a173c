import BigRPC
import BigRPCCodec
import BigRPCTestingProtos
import Testing

@testable import BigRPCInterop

@Suite("TestServiceProvider", .timeLimit(.minutes(1)))
struct TestServiceProviderTests {
    typealias Request = Bigrpc_Testing_V1_StreamingOutputCallRequest
    typealias Parameters = Bigrpc_Testing_V1_ResponseParameters
    typealias EchoStatus = Bigrpc_Testing_V1_EchoStatus

    let service = InProcess.testService()

    // MARK: Payloads

    @Test("EmptyCall returns the empty message")
    func emptyCall() async throws {
        #expect(try await service.emptyCall(Bigrpc_Testing_V1_Empty()) == Bigrpc_Testing_V1_Empty())
    }

    @Test("UnaryCall returns response_size zero bytes", arguments: [0, 1, 1000])
    func unaryCallPayload(size: Int) async throws {
        let response = try await service.unaryCall(
            Bigrpc_Testing_V1_SimpleRequest(
                responseSize: Int32(size),
                payload: [1, 2, 3]
            ))
        #expect(response.payload == [UInt8](repeating: 0, count: size))
    }

    @Test("StreamingOutputCall sends one response per entry, in order")
    func streamingOutputCallPayloads() async throws {
        let request = Request(responseParameters: [3, 0, 7].map { Parameters(size: $0) })
        let end = try await service.streamingOutputCall(request) { await StreamEnd.read($0) }
        #expect(end.payloadSizes == [3, 0, 7])
        #expect(end.payloadsAreZero)
        #expect(end.error == nil)
    }

    @Test("StreamingInputCall sums the payload sizes", arguments: [[], [0], [3, 0, 7]])
    func streamingInputCallSums(sizes: [Int]) async throws {
        let response = try await service.streamingInputCall { requests in
            for size in sizes {
                try await requests.write(Bigrpc_Testing_V1_StreamingInputCallRequest(payload: .init(repeating: 9, count: size)))
            }
        }
        #expect(response.aggregatedPayloadSize == Int32(sizes.reduce(0, +)))
    }

    @Test("FullDuplexCall answers each request before the next arrives")
    func fullDuplexCallAnswersInOrder() async throws {
        let received = try await service.fullDuplexCall { requests, responses in
            var iterator = responses.makeAsyncIterator()
            var received: [[Int]] = []
            let exchanges = [[1, 2], [3], [4, 5, 6]]
            for (index, sizes) in exchanges.enumerated() {
                try await requests.write(
                    Request(responseParameters: sizes.map { Parameters(size: Int32($0)) }),
                    isLast: index == exchanges.count - 1
                )
                var answer: [Int] = []
                for _ in sizes {
                    guard let response = try await iterator.next() else { break }
                    answer.append(response.payload.count)
                }
                received.append(answer)
            }
            #expect(try await iterator.next() == nil)
            return received
        }
        #expect(received == [[1, 2], [3], [4, 5, 6]])
    }

    @Test("UnimplementedCall ends with UNIMPLEMENTED")
    func unimplementedCall() async {
        let error = await #expect(throws: RPCError.self) {
            try await service.unimplementedCall(Bigrpc_Testing_V1_Empty())
        }
        #expect(error?.code == .unimplemented)
    }

    // MARK: Invalid sizes

    @Test("A negative size is INVALID_ARGUMENT")
    func negativeSize() async throws {
        let unary = await #expect(throws: RPCError.self) {
            try await service.unaryCall(Bigrpc_Testing_V1_SimpleRequest(responseSize: -1))
        }
        #expect(unary?.code == .invalidArgument)

        let request = Request(responseParameters: [Parameters(size: 5), Parameters(size: -1)])
        let output = try await service.streamingOutputCall(request) { await StreamEnd.read($0) }
        #expect(output.payloadSizes == [], "no response is sent for a request with an invalid size")
        #expect(output.error?.code == .invalidArgument)

        let duplex = await fullDuplex([request])
        #expect(duplex.payloadSizes == [])
        #expect(duplex.error?.code == .invalidArgument)
    }

    @Test("A response over the max payload is RESOURCE_EXHAUSTED; one at the max is sent")
    func oversizeResponse() async throws {
        // 1021 payload bytes encode as 1 tag byte + 2 length bytes + 1021 = 1024.
        let service = InProcess.testService(TestServiceProvider(maxPayloadSize: 1024))
        let fitting = try await service.unaryCall(Bigrpc_Testing_V1_SimpleRequest(responseSize: 1021))
        #expect(fitting.payload.count == 1021)

        let unary = await #expect(throws: RPCError.self) {
            try await service.unaryCall(Bigrpc_Testing_V1_SimpleRequest(responseSize: 1022))
        }
        #expect(unary?.code == .resourceExhausted)

        let request = Request(responseParameters: [Parameters(size: 10), Parameters(size: 1022)])
        let output = try await service.streamingOutputCall(request) { await StreamEnd.read($0) }
        #expect(output.payloadSizes == [])
        #expect(output.error?.code == .resourceExhausted)
    }

    @Test("The default max payload is 4 MiB")
    func defaultMaxPayload() async {
        #expect(TestServiceProvider().maxPayloadSize == 4 * 1024 * 1024)
        let error = await #expect(throws: RPCError.self) {
            try await service.unaryCall(Bigrpc_Testing_V1_SimpleRequest(responseSize: 4 * 1024 * 1024))
        }
        #expect(error?.code == .resourceExhausted)
    }

    @Test(
        "The encoded response size matches the codec's",
        arguments: [0, 1, 127, 128, 1021, 16_383, 16_384, 314_159, 2_097_151, 2_097_152]
    )
    func encodedResponseSize(payloadSize: Int) throws {
        let simple = try Bigrpc_Testing_V1_SimpleResponse(payload: .init(repeating: 0, count: payloadSize)).serializedBytes()
        let streamed = try Bigrpc_Testing_V1_StreamingOutputCallResponse(payload: .init(repeating: 0, count: payloadSize))
            .serializedBytes()
        #expect(TestServiceProvider.encodedResponseSize(payloadSize: payloadSize) == simple.count)
        #expect(TestServiceProvider.encodedResponseSize(payloadSize: payloadSize) == streamed.count)
    }

    // MARK: response_status

    @Test("A non-zero response_status ends UnaryCall with its code and message")
    func responseStatusOnUnaryCall() async {
        let error = await #expect(throws: RPCError.self) {
            try await service.unaryCall(
                Bigrpc_Testing_V1_SimpleRequest(
                    responseSize: 10,
                    responseStatus: EchoStatus(code: 5, message: "gone")
                ))
        }
        #expect(error?.code == .notFound)
        #expect(error?.message == "gone")
    }

    @Test("A response_status of 0 is no error")
    func zeroResponseStatus() async throws {
        let response = try await service.unaryCall(
            Bigrpc_Testing_V1_SimpleRequest(
                responseSize: 3,
                responseStatus: EchoStatus(code: 0, message: "ignored")
            ))
        #expect(response.payload.count == 3)
    }

    @Test("A response_status code outside 0...16 is INVALID_ARGUMENT", arguments: [-1, 17] as [Int32])
    func responseStatusOutOfRange(code: Int32) async {
        let error = await #expect(throws: RPCError.self) {
            try await service.unaryCall(Bigrpc_Testing_V1_SimpleRequest(responseStatus: EchoStatus(code: code)))
        }
        #expect(error?.code == .invalidArgument)
    }

    @Test("response_status ends a streaming call before any response to its request")
    func responseStatusBeforeResponses() async throws {
        let status = EchoStatus(code: 9, message: "not now")
        let output = try await service.streamingOutputCall(
            Request(responseParameters: [Parameters(size: 10), Parameters(size: 20)], responseStatus: status)
        ) { await StreamEnd.read($0) }
        #expect(output.payloadSizes == [])
        #expect(output.error?.code == .failedPrecondition)
        #expect(output.error?.message == "not now")

        let duplex = await fullDuplex([
            Request(responseParameters: [Parameters(size: 3)]),
            Request(responseParameters: [Parameters(size: 4)], responseStatus: status),
            Request(responseParameters: [Parameters(size: 5)]),
        ])
        #expect(duplex.payloadSizes == [3], "only the request before the status is answered")
        #expect(duplex.error?.code == .failedPrecondition)
        #expect(duplex.error?.message == "not now")
    }

    // MARK: x-echo- metadata

    static let sentMetadata: Metadata = ["x-echo-one": "1", "X-Echo-Two": "zwei ☺", "x-other": "kept here"]
    static let echoedMetadata: Metadata = ["x-echo-one": "1", "x-echo-two": "zwei ☺"]

    @Test("x-echo- metadata is copied into the trailers of every successful call")
    func echoOnSuccess() async throws {
        let metadata = Self.sentMetadata
        try await service.emptyCall(Bigrpc_Testing_V1_Empty(), metadata: metadata) { response in
            _ = try response.message
            expectEchoed(response.trailers)
        }
        try await service.unaryCall(Bigrpc_Testing_V1_SimpleRequest(responseSize: 1), metadata: metadata) { response in
            _ = try response.message
            expectEchoed(response.trailers)
        }
        let output = try await service.streamingOutputCall(
            Request(responseParameters: [Parameters(size: 1)]),
            metadata: metadata
        ) { await StreamEnd.read($0) }
        #expect(output.error == nil)
        expectEchoed(output.trailers)

        let input = try await service.rpcClient.clientStreaming(
            method: Bigrpc_Testing_V1_TestService.Method.streamingInputCall,
            requestType: Bigrpc_Testing_V1_StreamingInputCallRequest.self,
            responseType: Bigrpc_Testing_V1_StreamingInputCallResponse.self,
            metadata: metadata
        ) { _ in }
        _ = try input.message
        expectEchoed(input.trailers)

        let duplex = await fullDuplex([Request(responseParameters: [Parameters(size: 1)])], metadata: metadata)
        #expect(duplex.error == nil)
        expectEchoed(duplex.trailers)
    }

    @Test("x-echo- metadata is copied into the trailers of failed calls")
    func echoOnFailure() async {
        let metadata = Self.sentMetadata
        let failures: [(String, RPCError?)] = [
            (
                "response_status",
                await #expect(throws: RPCError.self) {
                    try await service.unaryCall(
                        Bigrpc_Testing_V1_SimpleRequest(responseStatus: EchoStatus(code: 2)),
                        metadata: metadata
                    )
                }
            ),
            (
                "negative size",
                await #expect(throws: RPCError.self) {
                    try await service.unaryCall(Bigrpc_Testing_V1_SimpleRequest(responseSize: -1), metadata: metadata)
                }
            ),
            (
                "UnimplementedCall",
                await #expect(throws: RPCError.self) {
                    try await service.unimplementedCall(Bigrpc_Testing_V1_Empty(), metadata: metadata)
                }
            ),
            (
                "deadline",
                await fullDuplex(
                    [Request()],
                    metadata: metadata,
                    options: CallOptions(timeout: .milliseconds(20)),
                    halfClose: false
                ).error
            ),
        ]
        for (what, error) in failures {
            #expect(error != nil, "\(what)")
            expectEchoed(error?.metadata, what)
        }
    }

    // MARK: interval_us

    @Test("StreamingOutputCall waits interval_us before each response")
    func intervals() async throws {
        let clock = ContinuousClock()
        let start = clock.now
        let end = try await service.streamingOutputCall(
            Request(responseParameters: [Parameters(size: 1, intervalUs: 30_000), Parameters(size: 2, intervalUs: 30_000)])
        ) { await StreamEnd.read($0) }
        #expect(end.payloadSizes == [1, 2])
        #expect(start.duration(to: clock.now) >= .milliseconds(60))
    }

    @Test("The deadline interrupts an interval")
    func deadlineInterruptsInterval() async throws {
        let clock = ContinuousClock()
        let start = clock.now
        let end = try await service.streamingOutputCall(
            Request(responseParameters: [Parameters(size: 1, intervalUs: 60_000_000)]),
            options: CallOptions(timeout: .milliseconds(50))
        ) { await StreamEnd.read($0) }
        #expect(end.payloadSizes == [])
        #expect(end.error?.code == .deadlineExceeded)
        #expect(start.duration(to: clock.now) < .seconds(10))
    }

    // MARK: Helpers

    /// Sends `requests` on a FullDuplexCall, half-closing with the last
    /// unless told not to, and reads every response.
    private func fullDuplex(
        _ requests: [Request],
        metadata: Metadata = [:],
        options: CallOptions = .defaults,
        halfClose: Bool = true
    ) async -> StreamEnd {
        do {
            return try await service.fullDuplexCall(metadata: metadata, options: options) { writer, responses in
                for (index, request) in requests.enumerated() {
                    try await writer.write(request, isLast: halfClose && index == requests.count - 1)
                }
                if halfClose && requests.isEmpty {
                    try await writer.finish()
                }
                return await StreamEnd.read(responses)
            }
        } catch {
            Issue.record(error, "FullDuplexCall threw outside its responses")
            return StreamEnd()
        }
    }

    private func expectEchoed(_ trailers: Metadata?, _ what: String = "", sourceLocation: SourceLocation = #_sourceLocation) {
        for (key, value) in Self.echoedMetadata {
            #expect(trailers?[key] == value, "\(what) \(key)", sourceLocation: sourceLocation)
        }
        #expect(trailers?["x-other"] == nil, "\(what) x-other", sourceLocation: sourceLocation)
    }
}
