import InMemoryTracing
import Testing
import Tracing

/// The finished spans of one trace, as an ``InMemoryTracer`` recorded them,
/// with the lookups a trace test needs: spans by name and kind, and the
/// parent chain.
struct RecordedTrace {
    let spans: [FinishedInMemorySpan]
    private let byID: [String: FinishedInMemorySpan]

    init(_ spans: [FinishedInMemorySpan]) {
        self.spans = spans
        byID = Dictionary(spans.map { ($0.spanID, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The spans `tracer` finished in trace `traceID` once `isComplete`
    /// holds of them, polled every 10 ms for at most 10 s (what finishes
    /// after the caller's last answer, such as an order's confirmation);
    /// those there are at 10 s otherwise.
    static func wait(
        for traceID: String, in tracer: InMemoryTracer, until isComplete: (RecordedTrace) -> Bool
    ) async throws -> RecordedTrace {
        var trace = RecordedTrace([])
        for _ in 0..<1_000 {
            trace = RecordedTrace(tracer.finishedSpans.filter { $0.traceID == traceID })
            if isComplete(trace) { break }
            try await Task.sleep(for: .milliseconds(10))
        }
        return trace
    }

    /// Every span named `name` of `kind`.
    func spans(_ name: String, _ kind: SpanKind) -> [FinishedInMemorySpan] {
        spans.filter { $0.operationName == name && $0.kind == kind }
    }

    /// Whether a span named `name` of `kind` is there.
    func contains(_ name: String, _ kind: SpanKind) -> Bool {
        spans.contains { $0.operationName == name && $0.kind == kind }
    }

    /// Whether `ancestor` is on the parent chain of `span`.
    func descends(_ span: FinishedInMemorySpan, from ancestor: FinishedInMemorySpan) -> Bool {
        var current = span.parentSpanID
        while let id = current {
            if id == ancestor.spanID { return true }
            current = byID[id]?.parentSpanID
        }
        return false
    }

    /// The one span named `name` of `kind` whose parent is `parent`.
    func child(_ name: String, _ kind: SpanKind, of parent: FinishedInMemorySpan) throws -> FinishedInMemorySpan {
        let children = spans(name, kind).filter { $0.parentSpanID == parent.spanID }
        try #require(children.count == 1, "\(children.count) \(kind) spans \(name) under \(parent.operationName), not 1")
        return children[0]
    }
}
