public import BigRPC
import Instrumentation
import ServiceContextModule

extension Metadata {
    /// Replaces the trace context (`traceparent`, `tracestate`, what the
    /// bootstrapped instrument propagates) with that of the current task's
    /// span, if it runs in one; leaves the metadata as it is otherwise.
    ///
    /// For a proxy that sends a call on without an ``RPCClient`` (such as
    /// ``ForwardingService``, which has no client interceptors): the
    /// upstream server's span is then a child of the proxy's server span,
    /// not a sibling under the caller's, and a trace the proxy started
    /// reaches the upstream server at all.
    ///
    /// ```swift
    /// var metadata = ForwardedPrincipal.publicPart(of: context.metadata)
    /// metadata.injectCurrentTraceContext()
    /// ```
    public mutating func injectCurrentTraceContext() {
        guard let current = ServiceContext.current else { return }
        InstrumentationSystem.instrument.inject(current, into: &self, using: MetadataInjector())
    }
}
