import BigRPC

/// One call of any method, with requests and responses as encoded bytes,
/// straight on a ``ClientTransport``: what lets `bigprobe` call methods it
/// has no generated types for.
struct RawCall {
    let transport: any ClientTransport
    let method: MethodDescriptor
    let metadata: Metadata
    let options: CallOptions

    /// Sends `requests` (half-closing with the last), hands each response to
    /// `onResponse` as it arrives, and returns the call's status and
    /// trailers. Throws ``RPCError`` when the call fails on the client side
    /// (no connection, deadline, cancellation).
    func run(
        requests: [[UInt8]],
        onResponse: ([UInt8]) async throws -> Void
    ) async throws -> (status: Status, trailers: Metadata) {
        do {
            return try await transport.withStream(method: method, metadata: metadata, options: options) { stream in
                guard method.kind == .bidirectionalStreaming else {
                    try await RawCall.send(requests, to: stream.requests)
                    return try await RawCall.receive(stream.responses, onResponse)
                }
                // Both directions at once: the server may answer each request
                // before it reads the next.
                return try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await RawCall.send(requests, to: stream.requests) }
                    let outcome = try await RawCall.receive(stream.responses, onResponse)
                    group.cancelAll()
                    return outcome
                }
            }
        } catch is CancellationError {
            throw RPCError(.cancelled, "the call was cancelled")
        }
    }

    private static func send(_ requests: [[UInt8]], to sink: any ClientRequestSink) async throws {
        guard let last = requests.indices.last else {
            try await sink.finish()
            return
        }
        for index in requests.indices {
            try await sink.write(requests[index], endStream: index == last)
        }
    }

    private static func receive(
        _ responses: RPCAsyncSequence<ClientResponsePart>,
        _ onResponse: ([UInt8]) async throws -> Void
    ) async throws -> (status: Status, trailers: Metadata) {
        for try await part in responses {
            switch part {
            case .message(let bytes):
                try await onResponse(bytes)
            case .status(let status, let trailers):
                return (status, trailers)
            }
        }
        throw RPCError(.internal, "the call ended without a status")
    }
}
