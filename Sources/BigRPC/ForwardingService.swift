/// Serves methods by forwarding each call, undecoded, over a client
/// transport: a proxy (such as a gateway in front of services on other
/// hosts). Request and response messages pass as raw bytes, in both
/// directions at once, so every call shape works; the upstream status and
/// trailers become the call's own. The upstream call gets what is left of
/// the call's deadline, and the metadata ``metadata`` makes from the call.
///
/// ```swift
/// let proxy = ForwardingService(
///     methods: Catalog.Method.all, fileDescriptorProtos: Catalog.fileDescriptorProtos,
///     transport: balancer) { context in context.metadata }
/// ```
public struct ForwardingService: RegistrableRPCService {
    /// The upstream call's metadata, made from the call's context.
    public typealias MetadataForUpstream = @Sendable (ServerContext) -> Metadata

    /// The methods forwarded.
    public let methods: [MethodDescriptor]
    /// Serialized `FileDescriptorProto`s of the forwarded services, so that
    /// reflection can describe them as if they were served here.
    public let fileDescriptorProtos: [[UInt8]]
    private let transport: any ClientTransport
    private let metadata: MetadataForUpstream

    public init(
        methods: [MethodDescriptor],
        fileDescriptorProtos: [[UInt8]] = [],
        transport: any ClientTransport,
        metadata: @escaping MetadataForUpstream = { $0.metadata }
    ) {
        self.methods = methods
        self.fileDescriptorProtos = fileDescriptorProtos
        self.transport = transport
        self.metadata = metadata
    }

    public func registerMethods(with router: inout RPCRouter) {
        for method in methods {
            router.registerRaw(method) { [transport, metadata] call, context in
                try await Self.forward(call, context: context, method: method, transport: transport, metadata: metadata(context))
            }
        }
    }

    private static func forward(
        _ call: ServerCall,
        context: ServerContext,
        method: MethodDescriptor,
        transport: any ClientTransport,
        metadata: Metadata
    ) async throws {
        var options = CallOptions()
        if let deadline = context.deadline {
            let left = deadline - .now
            guard left > .zero else { throw RPCError(.deadlineExceeded, "the deadline passed before the call was forwarded") }
            options.timeout = left
        }
        let (status, trailers) = try await transport.withStream(method: method, metadata: metadata, options: options) { stream in
            try await withThrowingTaskGroup(of: Void.self) { group in
                // Requests upstream, until the caller half-closes.
                group.addTask {
                    for try await message in call.requests {
                        try await stream.requests.write(message, endStream: false)
                    }
                    try await stream.requests.finish()
                }
                defer { group.cancelAll() }
                // Responses downstream, until the upstream status.
                for try await part in stream.responses {
                    switch part {
                    case .message(let bytes):
                        try await call.responses.write(bytes)
                    case .status(let status, let trailers):
                        return (status, trailers)
                    }
                }
                throw RPCError(.internal, "the upstream call ended without a status")
            }
        }
        guard status.code != .ok else {
            context.trailers = trailers
            return
        }
        throw RPCError(status.code, status.message, metadata: trailers)
    }
}
