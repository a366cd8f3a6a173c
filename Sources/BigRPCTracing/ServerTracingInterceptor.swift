public import BigRPC
import Instrumentation
import ServiceContextModule
import Tracing

/// Continues the caller's trace on the server: reads the trace context
/// (`traceparent`) from the request metadata and runs the call in a server
/// span named after the method (`bigshop.orders.v1.OrdersService/Checkout`),
/// so that every span the handler starts, and every call it makes through a
/// ``ClientTracingInterceptor``, is its child.
///
/// A call that carries no trace context (and is not made inside a traced
/// task) starts a trace only at `rootSampleRatio`: the others run with no
/// span at all. The tracer is not even asked, because starting a span costs
/// trace and span ids, task-local bindings and allocations even when the
/// tracer's sampler then drops it; give the tracer a parent-based always-on
/// sampler and let this decide for roots. A call with trace context always
/// gets its span, so a caller's sampling decision is followed.
///
/// Uses the process's `InstrumentationSystem` tracer: with none
/// bootstrapped, a span is a no-op.
public struct ServerTracingInterceptor: ServerInterceptor {
    private let roots: RootSampler

    /// - Parameter rootSampleRatio: the fraction of calls without trace
    ///   context that start a trace (every 1/ratio-th such call), 0 to 1.
    public init(rootSampleRatio: Double = 1) {
        roots = RootSampler(ratio: rootSampleRatio)
    }

    public func intercept(
        context: ServerContext,
        next: @Sendable (ServerContext) async throws -> Void
    ) async throws {
        var parent = ServiceContext.current ?? .topLevel
        InstrumentationSystem.instrument.extract(context.metadata, into: &parent, using: MetadataExtractor())
        if parent.isEmpty, !roots.sampleNext() {
            try await next(context)
            return
        }
        try await withSpan(context.method.spanName, context: parent, ofKind: .server) { span in
            span.attributes["rpc.system"] = "bigrpc"
            span.attributes["rpc.service"] = context.method.service
            span.attributes["rpc.method"] = context.method.method
            span.attributes["bigrpc.request_id"] = context.requestID
            var context = context
            if span.isRecording, let traceID = traceID(of: span) { context.logMetadata["trace-id"] = "\(traceID)" }
            do {
                try await next(context)
                span.attributes["rpc.bigrpc.status_code"] = 0
            } catch {
                let code = (error as? RPCError)?.code ?? (error is CancellationError ? .cancelled : .internal)
                span.attributes["rpc.bigrpc.status_code"] = Int(code.rawValue)
                // withSpan records the error; an expected refusal is not a fault of the server.
                throw error
            }
        }
    }
}

/// The W3C trace id of `span` (32 hex digits), read off the `traceparent`
/// the process's instrument writes for it; nil if it writes none.
func traceID(of span: any Span) -> String? {
    var metadata = Metadata()
    InstrumentationSystem.instrument.inject(span.context, into: &metadata, using: MetadataInjector())
    guard let traceparent = metadata["traceparent"] else { return nil }
    let fields = traceparent.split(separator: "-")
    return fields.count == 4 ? String(fields[1]) : nil
}

extension MethodDescriptor {
    /// The name of a call's span: `<service>/<method>`, as OpenTelemetry's RPC conventions ask.
    var spanName: String { "\(service)/\(method)" }
}
