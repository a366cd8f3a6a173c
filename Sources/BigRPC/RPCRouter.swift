public import BigRPCCodec

/// Maps method paths to handlers. Generated service protocols fill it in
/// through ``RegistrableRPCService/registerMethods(with:)``.
public struct RPCRouter: Sendable {
    struct Handler: Sendable {
        let method: MethodDescriptor
        let run: @Sendable (ServerCall, ServerContext) async throws -> Void
    }

    private(set) var handlers: [String: Handler] = [:]

    public init() {}

    /// A router holding every method of `services`.
    public init(services: [any RegistrableRPCService]) {
        for service in services { register(service) }
    }

    /// Every registered method.
    public var methods: [MethodDescriptor] { handlers.values.map(\.method).sorted { $0.path < $1.path } }

    /// The fully qualified names of the registered services, sorted.
    public var services: [String] { Set(handlers.values.map(\.method.service)).sorted() }

    /// Registers every method of `service`.
    public mutating func register(_ service: some RegistrableRPCService) {
        service.registerMethods(with: &self)
    }

    func handler(for path: String) -> Handler? {
        handlers[path]
    }

    /// The registered method at `path` (`/<service>/<method>`), if any: a
    /// transport uses its kind to bound how long a request may take to arrive.
    public func method(for path: String) -> MethodDescriptor? {
        handlers[path]?.method
    }

    // MARK: Call shapes

    public mutating func registerUnary<Request: ProtoMessage, Response: ProtoMessage>(
        _ method: MethodDescriptor,
        handler: @escaping @Sendable (Request, ServerContext) async throws -> Response
    ) {
        add(method) { call, context in
            let request = try await RPCRouter.singleRequest(Request.self, of: call)
            let response = try await handler(request, context)
            try await call.responses.write(RPCRouter.encode(response))
        }
    }

    public mutating func registerServerStreaming<Request: ProtoMessage, Response: ProtoMessage>(
        _ method: MethodDescriptor,
        handler: @escaping @Sendable (Request, RPCWriter<Response>, ServerContext) async throws -> Void
    ) {
        add(method) { call, context in
            let request = try await RPCRouter.singleRequest(Request.self, of: call)
            try await handler(request, RPCRouter.writer(call.responses), context)
        }
    }

    public mutating func registerClientStreaming<Request: ProtoMessage, Response: ProtoMessage>(
        _ method: MethodDescriptor,
        handler: @escaping @Sendable (RPCAsyncSequence<Request>, ServerContext) async throws -> Response
    ) {
        add(method) { call, context in
            let response = try await handler(RPCRouter.requests(Request.self, of: call), context)
            try await call.responses.write(RPCRouter.encode(response))
        }
    }

    public mutating func registerBidirectionalStreaming<Request: ProtoMessage, Response: ProtoMessage>(
        _ method: MethodDescriptor,
        handler: @escaping @Sendable (RPCAsyncSequence<Request>, RPCWriter<Response>, ServerContext) async throws -> Void
    ) {
        add(method) { call, context in
            try await handler(RPCRouter.requests(Request.self, of: call), RPCRouter.writer(call.responses), context)
        }
    }

    /// Registers a handler that works on the call's raw messages, undecoded:
    /// for proxies such as ``ForwardingService``. The handler writes the
    /// responses to `call.responses` itself; returning ends the call OK
    /// with the context's trailers, throwing ends it as for any handler.
    public mutating func registerRaw(
        _ method: MethodDescriptor,
        handler: @escaping @Sendable (ServerCall, ServerContext) async throws -> Void
    ) {
        add(method, handler)
    }

    private mutating func add(
        _ method: MethodDescriptor,
        _ run: @escaping @Sendable (ServerCall, ServerContext) async throws -> Void
    ) {
        precondition(handlers[method.path] == nil, "\(method.path) registered twice")
        handlers[method.path] = Handler(method: method, run: run)
    }

    // MARK: Conversions

    static func decode<M: ProtoMessage>(_ type: M.Type, _ bytes: [UInt8], limits: ProtoDecodingLimits) throws(RPCError) -> M {
        do {
            return try M(serializedBytes: bytes, limits: limits)
        } catch {
            throw RPCError(.invalidArgument, "request is not a valid \(M.protoDescriptor.fullName): \(error)")
        }
    }

    static func encode<M: ProtoMessage>(_ message: M) throws -> [UInt8] {
        do {
            return try message.serializedBytes()
        } catch {
            throw ResponseEncodingError(underlying: error)
        }
    }

    /// The one request message of a unary or server-streaming call; zero or
    /// several are INVALID_ARGUMENT, as the protocol requires.
    static func singleRequest<M: ProtoMessage>(_ type: M.Type, of call: ServerCall) async throws -> M {
        var iterator = call.requests.makeAsyncIterator()
        guard let first = try await iterator.next() else {
            throw RPCError(.invalidArgument, "expected one request message, received none")
        }
        guard try await iterator.next() == nil else {
            throw RPCError(.invalidArgument, "expected one request message, received more than one")
        }
        return try decode(M.self, first, limits: call.decodingLimits)
    }

    static func requests<M: ProtoMessage>(_ type: M.Type, of call: ServerCall) -> RPCAsyncSequence<M> {
        let raw = call.requests
        let limits = call.decodingLimits
        let iterator = IteratorBox(raw.makeAsyncIterator())
        return RPCAsyncSequence {
            guard let bytes = try await iterator.next() else { return nil }
            return try decode(M.self, bytes, limits: limits)
        }
    }

    static func writer<M: ProtoMessage>(_ sink: any ServerResponseSink) -> RPCWriter<M> {
        RPCWriter { message in
            try await sink.write(encode(message))
        }
    }
}

/// A response the handler built cannot be encoded (a string with a NUL
/// byte): the handler's bug, reported to the client as INTERNAL.
struct ResponseEncodingError: Error {
    var underlying: ProtoEncodingError
}

/// Lets a `Sendable` closure own an async iterator. Only one task iterates a
/// call's requests (the handler), which is what makes this safe.
final class IteratorBox<Base: AsyncIteratorProtocol>: @unchecked Sendable where Base.Element: Sendable {
    // @unchecked Sendable: the iterator is used by a single consumer task at a
    // time (a handler reading its own requests); it never runs concurrently.
    private var base: Base

    init(_ base: Base) {
        self.base = base
    }

    func next() async throws -> Base.Element? {
        try await base.next()
    }
}
