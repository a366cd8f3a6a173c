import BigRPC
import BigRPCInterop
import BigRPCTestingProtos

/// A conformance service with one deliberate flaw, and otherwise
/// ``TestServiceProvider``'s behaviour: the cases must catch the flaw.
struct FlawedTestService: Bigrpc_Testing_V1_TestService.ServiceProtocol {
    enum Flaw: Sendable {
        /// Every response payload is one byte short.
        case shortPayloads
        /// `response_status` is ignored: calls succeed.
        case ignoresResponseStatus
        /// No metadata is echoed in the trailers.
        case noEcho
        /// StreamingInputCall's sum is one too many.
        case wrongSum
        /// FullDuplexCall reads requests but never answers them.
        case silentDuplex
    }

    let flaw: Flaw
    private let correct = TestServiceProvider()

    init(_ flaw: Flaw) {
        self.flaw = flaw
    }

    func emptyCall(request: Bigrpc_Testing_V1_Empty, context: ServerContext) async throws -> Bigrpc_Testing_V1_Empty {
        try await correct.emptyCall(request: request, context: served(context))
    }

    func unaryCall(
        request: Bigrpc_Testing_V1_SimpleRequest,
        context: ServerContext
    ) async throws -> Bigrpc_Testing_V1_SimpleResponse {
        var request = request
        if flaw == .ignoresResponseStatus { request.responseStatus = nil }
        var response = try await correct.unaryCall(request: request, context: served(context))
        if flaw == .shortPayloads { response.payload = Array(response.payload.dropLast()) }
        return response
    }

    func streamingOutputCall(
        request: Bigrpc_Testing_V1_StreamingOutputCallRequest,
        response: RPCWriter<Bigrpc_Testing_V1_StreamingOutputCallResponse>,
        context: ServerContext
    ) async throws {
        try await correct.streamingOutputCall(request: request, response: served(response), context: served(context))
    }

    func streamingInputCall(
        requests: RPCAsyncSequence<Bigrpc_Testing_V1_StreamingInputCallRequest>,
        context: ServerContext
    ) async throws -> Bigrpc_Testing_V1_StreamingInputCallResponse {
        var response = try await correct.streamingInputCall(requests: requests, context: served(context))
        if flaw == .wrongSum { response.aggregatedPayloadSize += 1 }
        return response
    }

    func fullDuplexCall(
        requests: RPCAsyncSequence<Bigrpc_Testing_V1_StreamingOutputCallRequest>,
        response: RPCWriter<Bigrpc_Testing_V1_StreamingOutputCallResponse>,
        context: ServerContext
    ) async throws {
        switch flaw {
        case .silentDuplex:
            for try await _ in requests {}
        case .ignoresResponseStatus:
            for try await request in requests {
                for parameters in request.responseParameters {
                    try await response.write(.init(payload: .init(repeating: 0, count: Int(parameters.size))))
                }
            }
        case .shortPayloads, .noEcho, .wrongSum:
            try await correct.fullDuplexCall(requests: requests, response: served(response), context: served(context))
        }
    }

    func unimplementedCall(request: Bigrpc_Testing_V1_Empty, context: ServerContext) async throws -> Bigrpc_Testing_V1_Empty {
        try await correct.unimplementedCall(request: request, context: served(context))
    }

    /// The context the correct service sees: without request metadata when
    /// the flaw is not echoing it (its trailers then go nowhere).
    private func served(_ context: ServerContext) -> ServerContext {
        guard flaw == .noEcho else { return context }
        return ServerContext(
            method: context.method,
            metadata: [:],
            deadline: context.deadline,
            peer: context.peer,
            requestID: context.requestID
        )
    }

    /// The writer the correct service writes to: shortening each payload
    /// when that is the flaw.
    private func served(
        _ writer: RPCWriter<Bigrpc_Testing_V1_StreamingOutputCallResponse>
    ) -> RPCWriter<Bigrpc_Testing_V1_StreamingOutputCallResponse> {
        guard flaw == .shortPayloads else { return writer }
        return RPCWriter { response in
            var response = response
            response.payload = Array(response.payload.dropLast())
            try await writer.write(response)
        }
    }
}
