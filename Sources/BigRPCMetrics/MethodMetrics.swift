import BigRPC
import CoreMetrics
import Synchronization

/// The metric handles of one method on one side (server or client), made
/// once and kept: looking a metric up in the factory on every call would
/// cost a lock and a dictionary probe per metric.
///
/// It is also the ``RPCMessageObserver`` of the method's streaming calls:
/// it counts the messages of a stream side as they pass, and leaves a
/// single-message side to the interceptor, which counts it whether or not
/// the handler ever reads it (a call refused before its handler).
final class MethodMetrics: RPCMessageObserver {
    struct Names {
        var side: Side
        var started: String
        var handled: String
        var messagesIn: String
        var messagesOut: String
        var seconds: String
    }

    /// Which end of the call the metrics are recorded at.
    enum Side {
        /// Messages in are requests, messages out responses.
        case server
        /// Messages in are responses, messages out requests.
        case client
    }

    let started: Counter
    let messagesIn: Counter
    let messagesOut: Counter
    let latency: Timer
    /// Whether one message comes in: counted by the interceptor, not as it passes.
    let hasSingleMessageIn: Bool
    /// Whether one message goes out: counted by the interceptor, not as it passes.
    let hasSingleMessageOut: Bool
    /// Whether a side streams, so that the interceptor installs this as the call's observer.
    var observesMessages: Bool { !hasSingleMessageIn || !hasSingleMessageOut }
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
        switch names.side {
        case .server:
            hasSingleMessageIn = method.kind.hasSingleRequest
            hasSingleMessageOut = method.kind.hasSingleResponse
        case .client:
            hasSingleMessageIn = method.kind.hasSingleResponse
            hasSingleMessageOut = method.kind.hasSingleRequest
        }
    }

    func messageReceived() {
        if !hasSingleMessageIn { messagesIn.increment() }
    }

    func messageSent() {
        if !hasSingleMessageOut { messagesOut.increment() }
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
