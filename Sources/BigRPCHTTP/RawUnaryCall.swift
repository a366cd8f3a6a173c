import BigRPC

/// One call with a single encoded request, straight on a transport: the
/// HTTP edge has no generated types, only the bytes it converted.
enum RawUnaryCall {
    /// Sends `request` (half-closing with it), hands each response to
    /// `onResponse`, and returns the call's status and trailers.
    static func run(
        transport: some ClientTransport, method: MethodDescriptor, metadata: Metadata, options: CallOptions,
        request: [UInt8], onResponse: ([UInt8]) async throws -> Void
    ) async throws -> (status: Status, trailers: Metadata) {
        try await transport.withStream(method: method, metadata: metadata, options: options) { stream in
            try await stream.requests.write(request, endStream: true)
            for try await part in stream.responses {
                switch part {
                case .message(let bytes): try await onResponse(bytes)
                case .status(let status, let trailers): return (status, trailers)
                }
            }
            throw RPCError(.internal, "the call ended without a status")
        }
    }
}
