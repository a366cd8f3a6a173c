import Synchronization

/// Serves methods by forwarding each call, undecoded, over a client
/// transport: a proxy (such as a gateway in front of services on other
/// hosts). Request and response messages pass as raw bytes, in both
/// directions at once, so every call shape works; the upstream status and
/// trailers become the call's own. The upstream call gets what is left of
/// the call's deadline, and the metadata ``metadata`` makes from the call.
/// An upstream call the server never processed (no connection, a GOAWAY:
/// ``RPCError/callWasNotProcessed``) is sent again as ``retry`` allows,
/// within the deadline, so that a restarting upstream costs the caller a
/// delay rather than an error.
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
    /// How often an upstream call that was never processed is sent again.
    public let retry: RetryPolicy
    private let transport: any ClientTransport
    private let metadata: MetadataForUpstream

    public init(
        methods: [MethodDescriptor],
        fileDescriptorProtos: [[UInt8]] = [],
        transport: any ClientTransport,
        retry: RetryPolicy = .none,
        metadata: @escaping MetadataForUpstream = { $0.metadata }
    ) {
        self.methods = methods
        self.fileDescriptorProtos = fileDescriptorProtos
        self.transport = transport
        self.retry = retry
        self.metadata = metadata
    }

    public func registerMethods(with router: inout RPCRouter) {
        for method in methods {
            router.registerRaw(method) { call, context in
                try await forward(call, context: context, method: method, metadata: metadata(context))
            }
        }
    }

    private func forward(_ call: ServerCall, context: ServerContext, method: MethodDescriptor, metadata: Metadata) async throws {
        // A call with one request reads it first, so that a retry can send
        // it again; a streaming one is retried only if no request was taken.
        var requests: [[UInt8]]?
        if method.kind == .unary || method.kind == .serverStreaming {
            var buffered: [[UInt8]] = []
            for try await message in call.requests { buffered.append(message) }
            requests = buffered
        }
        let started = ManagedFlag()
        var attempt = 1
        while true {
            var options = CallOptions()
            if let deadline = context.deadline {
                let left = deadline - .now
                guard left > .zero else { throw RPCError(.deadlineExceeded, "deadline exceeded before the upstream server took the call") }
                options.timeout = left
            }
            do {
                return try await forwardOnce(
                    call, requests: requests, started: started, context: context, method: method, metadata: metadata, options: options)
            } catch let error as RPCError where error.callWasNotProcessed && attempt < retry.maxAttempts && (requests != nil || !started.value) {
                let wait = retry.backoff(beforeRetry: attempt)
                if let deadline = context.deadline, .now + wait >= deadline { throw error }
                try await Task.sleep(for: wait)
                attempt += 1
            }
        }
    }

    private func forwardOnce(
        _ call: ServerCall,
        requests: [[UInt8]]?,
        started: ManagedFlag,
        context: ServerContext,
        method: MethodDescriptor,
        metadata: Metadata,
        options: CallOptions
    ) async throws {
        let (status, trailers) = try await transport.withStream(method: method, metadata: metadata, options: options) { stream in
            try await withThrowingTaskGroup(of: Void.self) { group in
                // Requests upstream, until the caller half-closes.
                group.addTask {
                    if let requests {
                        // The last one half-closes: one frame fewer per call.
                        for message in requests.dropLast() { try await stream.requests.write(message, endStream: false) }
                        if let last = requests.last {
                            try await stream.requests.write(last, endStream: true)
                        } else {
                            try await stream.requests.finish()
                        }
                        return
                    }
                    started.set()
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

/// A flag set once, read from another task.
private final class ManagedFlag: Sendable {
    private let flag = Mutex(false)

    var value: Bool { flag.withLock { $0 } }

    func set() { flag.withLock { $0 = true } }
}
