import BigRPC
import CoreMetrics
import Synchronization

/// The metric handles of one method on one side (server or client), made
/// once and kept: looking a metric up in the factory on every call would
/// cost a lock and a dictionary probe per metric.
final class MethodMetrics: Sendable {
    struct Names {
        var started: String
        var handled: String
        var messagesIn: String
        var messagesOut: String
        var seconds: String
    }

    let started: Counter
    let messagesIn: Counter
    let messagesOut: Counter
    let latency: Timer
    private let handledByCode: Mutex<[StatusCode: Counter]>
    private let names: Names
    private let labels: [(String, String)]
    private let factory: any MetricsFactory

    init(_ method: MethodDescriptor, names: Names, factory: any MetricsFactory) {
        let labels = [("service", method.service), ("method", method.method)]
        self.labels = labels
        self.names = names
        self.factory = factory
        started = Counter(label: names.started, dimensions: labels + [("type", method.kind.metricLabel)], factory: factory)
        messagesIn = Counter(label: names.messagesIn, dimensions: labels, factory: factory)
        messagesOut = Counter(label: names.messagesOut, dimensions: labels, factory: factory)
        latency = Timer(label: names.seconds, dimensions: labels, preferredDisplayUnit: .seconds, factory: factory)
        handledByCode = Mutex([:])
    }

    /// The handled counter of `code`, made the first time it is needed.
    func handled(_ code: StatusCode) -> Counter {
        handledByCode.withLock { counters in
            if let counter = counters[code] { return counter }
            let counter = Counter(label: names.handled, dimensions: labels + [("code", code.name)], factory: factory)
            counters[code] = counter
            return counter
        }
    }
}

/// ``MethodMetrics`` per method path, made on first use.
final class MethodMetricsTable: Sendable {
    private let names: MethodMetrics.Names
    private let factory: any MetricsFactory
    private let table = Mutex<[String: MethodMetrics]>([:])

    init(names: MethodMetrics.Names, factory: any MetricsFactory) {
        self.names = names
        self.factory = factory
    }

    func metrics(for method: MethodDescriptor) -> MethodMetrics {
        table.withLock { table in
            if let metrics = table[method.path] { return metrics }
            let metrics = MethodMetrics(method, names: names, factory: factory)
            table[method.path] = metrics
            return metrics
        }
    }
}
