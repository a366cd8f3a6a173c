public import BigRPC
import Instrumentation
import ServiceContextModule
import Tracing

/// Starts a client span for every call, a child of the task's current span
/// (a handler's server span, say), and sends its trace context with the
/// call as `traceparent` metadata, so that the server's span is its child
/// even on another host. A call made outside any trace gets no span.
public struct ClientTracingInterceptor: ClientInterceptor {
    public init() {}

    public func intercept<Result: Sendable>(
        method: MethodDescriptor,
        metadata: Metadata,
        options: CallOptions,
        next: (Metadata, CallOptions) async throws -> Result
    ) async throws -> Result {
        // Outside any trace (a call not sampled, a background loop), no span:
        // the server decides whether the call starts a trace.
        guard ServiceContext.current != nil else { return try await next(metadata, options) }
        return try await withSpan(method.spanName, ofKind: .client) { span in
            span.attributes["rpc.system"] = "bigrpc"
            span.attributes["rpc.service"] = method.service
            span.attributes["rpc.method"] = method.method
            var metadata = metadata
            InstrumentationSystem.instrument.inject(span.context, into: &metadata, using: MetadataInjector())
            let result = try await next(metadata, options)
            if let reporting = result as? any StatusReporting {
                span.attributes["rpc.bigrpc.status_code"] = Int(reporting.statusCode.rawValue)
                if reporting.statusCode != .ok { span.setStatus(SpanStatus(code: .error, message: reporting.statusCode.name)) }
            }
            return result
        }
    }
}
