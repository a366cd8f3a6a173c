public import BigRPC
public import BigRPCTestingProtos

/// The conformance service `bigrpc.testing.v1.TestService`, exactly as
/// `interop-v1.md` describes it.
///
/// - A response payload of `size` bytes is that many zero bytes.
/// - A request whose `response_status` has a non-zero code ends the call with
///   that code and message, before any response to that request is sent.
/// - A negative response size ends the call with `INVALID_ARGUMENT` (3); a
///   response whose encoding would exceed ``maxPayloadSize`` ends it with
///   `RESOURCE_EXHAUSTED` (8). Every size of a request is checked before any
///   response to it is sent.
/// - Every request metadata key starting with ``echoMetadataPrefix`` is copied
///   into the trailers, whatever the outcome of the call.
///
/// Serve it with `RPCServer(services: [TestServiceProvider()])`.
public struct TestServiceProvider: Bigrpc_Testing_V1_TestService.ServiceProtocol {
    /// The protocol's default max payload, 4 MiB.
    public static let defaultMaxPayloadSize = 4 * 1024 * 1024

    /// Request metadata keys with this prefix are echoed in the trailers.
    public static let echoMetadataPrefix = "x-echo-"

    /// The largest encoded response message the service sends, in bytes: the
    /// max payload of the server it runs in, since a response travels in one
    /// MESSAGE frame.
    public let maxPayloadSize: Int

    /// - Parameter maxPayloadSize: the max payload of the server the service
    ///   runs in, in bytes; must not be negative.
    public init(maxPayloadSize: Int = TestServiceProvider.defaultMaxPayloadSize) {
        precondition(maxPayloadSize >= 0, "maxPayloadSize must not be negative")
        self.maxPayloadSize = maxPayloadSize
    }

    /// Returns the empty message.
    public func emptyCall(
        request: Bigrpc_Testing_V1_Empty,
        context: ServerContext
    ) async throws -> Bigrpc_Testing_V1_Empty {
        echoMetadata(of: context)
        return Bigrpc_Testing_V1_Empty()
    }

    /// Returns `response_size` zero bytes, or ends the call with the requested
    /// status.
    public func unaryCall(
        request: Bigrpc_Testing_V1_SimpleRequest,
        context: ServerContext
    ) async throws -> Bigrpc_Testing_V1_SimpleResponse {
        echoMetadata(of: context)
        try endWithRequestedStatus(request.responseStatus)
        let size = try checkedPayloadSize(request.responseSize)
        return Bigrpc_Testing_V1_SimpleResponse(payload: .zeros(size))
    }

    /// Sends one response per `response_parameters` entry, each after waiting
    /// its `interval_us`, then ends the call with OK.
    public func streamingOutputCall(
        request: Bigrpc_Testing_V1_StreamingOutputCallRequest,
        response: RPCWriter<Bigrpc_Testing_V1_StreamingOutputCallResponse>,
        context: ServerContext
    ) async throws {
        echoMetadata(of: context)
        try await answer(request, on: response)
    }

    /// Returns the sum of the request payload sizes once the client
    /// half-closes. A sum beyond `Int32.max` ends the call with `OUT_OF_RANGE`
    /// (11), as `aggregated_payload_size` cannot hold it.
    public func streamingInputCall(
        requests: RPCAsyncSequence<Bigrpc_Testing_V1_StreamingInputCallRequest>,
        context: ServerContext
    ) async throws -> Bigrpc_Testing_V1_StreamingInputCallResponse {
        echoMetadata(of: context)
        // Checked after every request, so the sum stays far below Int.max.
        var total = 0
        for try await request in requests {
            total += request.payload.count
            guard total <= Int32.max else {
                throw RPCError(.outOfRange, "the aggregated payload size exceeds \(Int32.max) bytes")
            }
        }
        return Bigrpc_Testing_V1_StreamingInputCallResponse(aggregatedPayloadSize: Int32(total))
    }

    /// Answers each request as it arrives, in order, as
    /// ``streamingOutputCall(request:response:context:)`` answers its one
    /// request; ends the call with OK after the client half-closes.
    public func fullDuplexCall(
        requests: RPCAsyncSequence<Bigrpc_Testing_V1_StreamingOutputCallRequest>,
        response: RPCWriter<Bigrpc_Testing_V1_StreamingOutputCallResponse>,
        context: ServerContext
    ) async throws {
        echoMetadata(of: context)
        for try await request in requests {
            try await answer(request, on: response)
        }
    }

    /// Always ends the call with `UNIMPLEMENTED` (12).
    public func unimplementedCall(
        request: Bigrpc_Testing_V1_Empty,
        context: ServerContext
    ) async throws -> Bigrpc_Testing_V1_Empty {
        echoMetadata(of: context)
        throw RPCError(.unimplemented, "UnimplementedCall is not implemented")
    }

    // MARK: Behaviour shared by the methods

    /// Copies every request metadata pair whose key has the echo prefix into
    /// the trailers; the server sends them with any status.
    private func echoMetadata(of context: ServerContext) {
        for (key, value) in context.metadata where key.hasPrefix(Self.echoMetadataPrefix) {
            context.addTrailer(key, value)
        }
    }

    /// Sends the responses `request` asks for, or ends the call with the
    /// status it asks for or an error for an invalid size. Nothing is sent
    /// unless every size is valid.
    private func answer(
        _ request: Bigrpc_Testing_V1_StreamingOutputCallRequest,
        on writer: RPCWriter<Bigrpc_Testing_V1_StreamingOutputCallResponse>
    ) async throws {
        try endWithRequestedStatus(request.responseStatus)
        var sizes: [Int] = []
        sizes.reserveCapacity(request.responseParameters.count)
        for parameters in request.responseParameters {
            sizes.append(try checkedPayloadSize(parameters.size))
        }
        for (parameters, size) in zip(request.responseParameters, sizes) {
            // Zero or negative: no wait. Task.sleep ends early, throwing, when
            // the call is cancelled or its deadline passes.
            if parameters.intervalUs > 0 {
                try await Task.sleep(for: .microseconds(parameters.intervalUs))
            }
            try await writer.write(Bigrpc_Testing_V1_StreamingOutputCallResponse(payload: .zeros(size)))
        }
    }

    /// Throws the status `requested` names, if its code is not 0. A code
    /// outside the protocol's 0...16 is refused with `INVALID_ARGUMENT`, as
    /// the server never sends one.
    private func endWithRequestedStatus(_ requested: Bigrpc_Testing_V1_EchoStatus?) throws(RPCError) {
        guard let requested, requested.code != 0 else { return }
        guard Self.statusCodes.contains(requested.code) else {
            throw RPCError(
                .invalidArgument,
                "response_status.code \(requested.code) is not a status code (0...16)"
            )
        }
        throw RPCError(StatusCode(rawValue: requested.code), requested.message)
    }

    /// `size` as a count of payload bytes, once checked: not negative, and
    /// the response carrying it fits in ``maxPayloadSize`` once encoded.
    private func checkedPayloadSize(_ size: Int32) throws(RPCError) -> Int {
        guard size >= 0 else {
            throw RPCError(.invalidArgument, "response size \(size) is negative")
        }
        let encodedSize = Self.encodedResponseSize(payloadSize: Int(size))
        guard encodedSize <= maxPayloadSize else {
            throw RPCError(
                .resourceExhausted,
                "a response with \(size) payload bytes (\(encodedSize) bytes encoded) exceeds the max payload of \(maxPayloadSize) bytes"
            )
        }
        return Int(size)
    }

    /// The status codes of the wire protocol.
    private static let statusCodes: ClosedRange<Int32> = 0...16

    /// The encoded size of a `SimpleResponse` or `StreamingOutputCallResponse`
    /// (both hold only `bytes payload = 1`) whose payload has `payloadSize`
    /// bytes: the field's tag byte, the length varint and the bytes; nothing
    /// for an empty payload, which proto3 does not encode.
    static func encodedResponseSize(payloadSize: Int) -> Int {
        guard payloadSize > 0 else { return 0 }
        var varintLength = 1
        var remaining = payloadSize >> 7
        while remaining > 0 {
            varintLength += 1
            remaining >>= 7
        }
        return 1 + varintLength + payloadSize
    }
}
