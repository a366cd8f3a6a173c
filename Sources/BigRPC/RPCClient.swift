public import BigRPCCodec
import Synchronization

/// Makes calls over a ``ClientTransport``. Generated clients wrap one.
///
/// The errors of a call are ``RPCError``s: the server's status, or
/// `CANCELLED` when the calling task is cancelled, `DEADLINE_EXCEEDED` when
/// the call's timeout passes (the transport enforces it on the client too),
/// `UNAVAILABLE` when the server cannot be reached. An error thrown by the
/// caller's own closure (a request producer or response handler) or by a
/// client interceptor propagates unchanged.
public struct RPCClient: Sendable {
    public let transport: any ClientTransport
    private let interceptors: [any ClientInterceptor]
    /// Bounds for decoding each response message.
    public var decodingLimits: ProtoDecodingLimits

    public init(
        transport: any ClientTransport,
        interceptors: [any ClientInterceptor] = [],
        decodingLimits: ProtoDecodingLimits = .default
    ) {
        self.transport = transport
        self.interceptors = interceptors
        self.decodingLimits = decodingLimits
    }

    // MARK: Call shapes

    /// One request, one response.
    public func unary<Request: ProtoMessage, Response: ProtoMessage>(
        request: Request,
        method: MethodDescriptor,
        responseType: Response.Type = Response.self,
        metadata: Metadata = [:],
        options: CallOptions = .defaults
    ) async throws -> ClientResponse<Response> {
        let bytes = try RPCClient.encode(request)
        return try await call(method, metadata, options) { stream in
            try await stream.requests.write(bytes, endStream: true)
            return try await RPCClient.singleResponse(Response.self, from: stream, limits: decodingLimits)
        }
    }

    /// One request, a stream of responses handed to `body`.
    public func serverStreaming<Request: ProtoMessage, Response: ProtoMessage, Result: Sendable>(
        request: Request,
        method: MethodDescriptor,
        responseType: Response.Type = Response.self,
        metadata: Metadata = [:],
        options: CallOptions = .defaults,
        body: (RPCResponseStream<Response>) async throws -> Result
    ) async throws -> Result {
        let bytes = try RPCClient.encode(request)
        return try await call(method, metadata, options) { stream in
            try await stream.requests.write(bytes, endStream: true)
            return try await body(RPCResponseStream(parts: stream.responses, limits: decodingLimits))
        }
    }

    /// Requests written by `requests`, then one response.
    ///
    /// Each request is sent as it is written, and the call half-closes when
    /// `requests` returns. Over a transport that cannot half-close after
    /// messages (a wire revision 1.0 server), each request is sent when the
    /// next one is written instead, and the last one, with END_STREAM, when
    /// `requests` returns.
    public func clientStreaming<Request: ProtoMessage, Response: ProtoMessage>(
        method: MethodDescriptor,
        requestType: Request.Type = Request.self,
        responseType: Response.Type = Response.self,
        metadata: Metadata = [:],
        options: CallOptions = .defaults,
        requests: (RPCWriter<Request>) async throws -> Void
    ) async throws -> ClientResponse<Response> {
        try await call(method, metadata, options) { stream in
            if stream.requests.halfClosesAfterMessages {
                try await requests(RPCWriter { try await stream.requests.write(RPCClient.encode($0), endStream: false) })
                try await stream.requests.finish()
            } else {
                let writer = HoldingBackWriter(sink: stream.requests)
                try await requests(RPCWriter { try await writer.write(RPCClient.encode($0)) })
                try await writer.finish()
            }
            return try await RPCClient.singleResponse(Response.self, from: stream, limits: decodingLimits)
        }
    }

    /// Requests and responses interleaved: `body` writes requests (and calls
    /// ``RequestStreamWriter/finish()`` when it has sent the last one) while
    /// reading the responses. The call is cancelled if `body` returns before
    /// the server ended it.
    public func bidirectionalStreaming<Request: ProtoMessage, Response: ProtoMessage, Result: Sendable>(
        method: MethodDescriptor,
        requestType: Request.Type = Request.self,
        responseType: Response.Type = Response.self,
        metadata: Metadata = [:],
        options: CallOptions = .defaults,
        body: (RequestStreamWriter<Request>, RPCResponseStream<Response>) async throws -> Result
    ) async throws -> Result {
        try await call(method, metadata, options) { stream in
            let writer = RequestStreamWriter<Request>(sink: stream.requests)
            return try await body(writer, RPCResponseStream(parts: stream.responses, limits: decodingLimits))
        }
    }

    // MARK: Plumbing

    private func call<Result: Sendable>(
        _ method: MethodDescriptor,
        _ metadata: Metadata,
        _ options: CallOptions,
        _ body: (ClientStream) async throws -> Result
    ) async throws -> Result {
        do {
            return try await intercepted(interceptors[...], method, metadata, options) { metadata, options in
                let observers = options.messageObservers
                if observers.isEmpty {
                    return try await transport.withStream(method: method, metadata: metadata, options: options, body)
                }
                return try await transport.withStream(method: method, metadata: metadata, options: options) { stream in
                    try await body(observers.observing(stream))
                }
            }
        } catch {
            throw RPCClient.rpcError(from: error)
        }
    }

    private func intercepted<Result: Sendable>(
        _ interceptors: ArraySlice<any ClientInterceptor>,
        _ method: MethodDescriptor,
        _ metadata: Metadata,
        _ options: CallOptions,
        _ next: (Metadata, CallOptions) async throws -> Result
    ) async throws -> Result {
        guard let first = interceptors.first else { return try await next(metadata, options) }
        return try await first.intercept(method: method, metadata: metadata, options: options) { metadata, options in
            try await intercepted(interceptors.dropFirst(), method, metadata, options, next)
        }
    }

    static func encode<M: ProtoMessage>(_ message: M) throws(RPCError) -> [UInt8] {
        do {
            return try message.serializedBytes()
        } catch {
            throw RPCError(.invalidArgument, "request cannot be encoded: \(error)")
        }
    }

    /// Reads exactly one message and then the status.
    static func singleResponse<M: ProtoMessage>(
        _ type: M.Type,
        from stream: ClientStream,
        limits: ProtoDecodingLimits
    ) async throws -> ClientResponse<M> {
        var message: M?
        for try await part in stream.responses {
            switch part {
            case .message(let bytes):
                guard message == nil else {
                    throw RPCError(.internal, "the server sent more than one response")
                }
                do {
                    message = try M(serializedBytes: bytes, limits: limits)
                } catch {
                    throw RPCError(.internal, "response is not a valid \(M.protoDescriptor.fullName): \(error)")
                }
            case .status(let status, let trailers):
                guard status.code == .ok else {
                    return ClientResponse(
                        result: .failure(RPCError(status.code, status.message, metadata: trailers)),
                        trailers: trailers
                    )
                }
                guard let message else {
                    throw RPCError(.internal, "the server ended the call without a response")
                }
                return ClientResponse(result: .success(message), trailers: trailers)
            }
        }
        throw RPCError(.internal, "the call ended without a status")
    }

    /// Maps the errors of the call machinery to the ``RPCError`` callers
    /// see; any other error (the caller's own) is returned unchanged.
    static func rpcError(from error: any Error) -> any Error {
        switch error {
        case is CancellationError: RPCError(.cancelled, "the call was cancelled")
        case is DeadlineExceededError: RPCError(.deadlineExceeded, "deadline exceeded")
        default: error
        }
    }
}

/// Writes the requests of a bidirectional call and half-closes it: write
/// the last request with `isLast: true`, or call ``finish()`` after it.
public struct RequestStreamWriter<Request: ProtoMessage>: Sendable {
    let sink: any ClientRequestSink

    /// Sends one request; `isLast` also half-closes the call.
    public func write(_ request: Request, isLast: Bool = false) async throws {
        do {
            try await sink.write(RPCClient.encode(request), endStream: isLast)
        } catch {
            throw RPCClient.rpcError(from: error)
        }
    }

    /// Half-closes the call (HALF_CLOSE after requests sent without
    /// `isLast`). Over a transport set up for a wire revision 1.0 server,
    /// that throws FAILED_PRECONDITION: write the last request with `isLast`.
    public func finish() async throws {
        do {
            try await sink.finish()
        } catch {
            throw RPCClient.rpcError(from: error)
        }
    }
}

/// Sends each request of a client-streaming call when the next is written,
/// so that the last can carry END_STREAM.
private final class HoldingBackWriter: Sendable {
    private let sink: any ClientRequestSink
    private let held = Mutex<[UInt8]?>(nil)

    init(sink: any ClientRequestSink) {
        self.sink = sink
    }

    func write(_ message: [UInt8]) async throws {
        if let previous = held.withLock({ held in
            defer { held = message }
            return held
        }) {
            try await sink.write(previous, endStream: false)
        }
    }

    func finish() async throws {
        if let last = held.withLock({ held in
            defer { held = nil }
            return held
        }) {
            try await sink.write(last, endStream: true)
        } else {
            try await sink.finish()
        }
    }
}
