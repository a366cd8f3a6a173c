import InMemoryTracing
import Instrumentation
import Tracing

/// swift-distributed-tracing's ``InMemoryTracer``, recording spans in
/// memory, but propagating their context as production does: a W3C
/// `traceparent` (`00-<32 hex trace id>-<16 hex span id>-01`), as
/// swift-otel's propagator writes it, instead of the in-memory tracer's
/// own keys. So a trace test sees exactly the metadata key a real
/// deployment depends on cross each hop, and fails if any hop drops it.
struct W3CInMemoryTracer: Tracer {
    typealias Span = InMemorySpan

    /// Where the spans are recorded.
    let recorder: InMemoryTracer

    init() {
        recorder = InMemoryTracer(
            idGenerator: .init(nextTraceID: { Self.hex(digits: 32) }, nextSpanID: { Self.hex(digits: 16) }))
    }

    func startSpan<Instant: TracerInstant>(
        _ operationName: String,
        context: @autoclosure () -> ServiceContext,
        ofKind kind: SpanKind,
        at instant: @autoclosure () -> Instant,
        function: String,
        file fileID: String,
        line: UInt
    ) -> InMemorySpan {
        recorder.startSpan(operationName, context: context(), ofKind: kind, at: instant(), function: function, file: fileID, line: line)
    }

    func forceFlush() {
        recorder.forceFlush()
    }

    func inject<Carrier, Inject: Injector>(_ context: ServiceContext, into carrier: inout Carrier, using injector: Inject)
    where Inject.Carrier == Carrier {
        guard let span = context.inMemorySpanContext else { return }
        injector.inject("00-\(span.traceID)-\(span.spanID)-01", forKey: "traceparent", into: &carrier)
    }

    func extract<Carrier, Extract: Extractor>(_ carrier: Carrier, into context: inout ServiceContext, using extractor: Extract)
    where Extract.Carrier == Carrier {
        guard let traceparent = extractor.extract(key: "traceparent", from: carrier) else { return }
        let fields = traceparent.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
        guard fields.count == 4, fields[0] == "00", fields[1].count == 32, fields[2].count == 16, fields[3].count == 2,
            fields.dropFirst().allSatisfy({ $0.allSatisfy(\.isHexDigit) })
        else { return }
        // The remote span: the parent of the span the receiver starts.
        context.inMemorySpanContext = InMemorySpanContext(traceID: fields[1], spanID: fields[2], parentSpanID: nil)
    }

    /// `digits` random lowercase hex digits.
    private static func hex(digits: Int) -> String {
        String((0..<digits).map { _ in "0123456789abcdef".randomElement()! })
    }
}
