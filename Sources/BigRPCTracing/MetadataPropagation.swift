public import BigRPC
public import Instrumentation

/// Writes trace context (a W3C `traceparent`, `tracestate`, baggage: what
/// the bootstrapped instrument propagates) into a call's ``Metadata``.
public struct MetadataInjector: Injector {
    public init() {}

    public func inject(_ value: String, forKey key: String, into carrier: inout Metadata) {
        carrier[key] = value
    }
}

/// Reads trace context from a call's ``Metadata``.
public struct MetadataExtractor: Extractor {
    public init() {}

    public func extract(key: String, from carrier: Metadata) -> String? {
        carrier[key]
    }
}
