public import BigRPC
public import CoreMetrics

/// Records every call a client makes, under the names of
/// ``RPCMetricNames``: started and handled (by status code) counters,
/// message counters and a latency histogram per method.
///
/// ```swift
/// RPCClient(transport: transport, interceptors: [ClientMetricsInterceptor()])
/// ```
///
/// A call's code is the status it ended with: the failure a unary call
/// returns (see ``StatusReporting``) or the ``RPCError`` it throws;
/// `UNKNOWN` for any other error. Message counts: one for a single-message
/// side (the response only when the call ended OK), and each message of a
/// streaming side as the caller writes or reads it, seen through an
/// ``RPCMessageObserver`` on the call's options.
public struct ClientMetricsInterceptor: ClientInterceptor {
    private let table: MethodMetricsTable

    /// Records into `factory`: by default the process's `MetricsSystem`.
    public init(factory: any MetricsFactory = MetricsSystem.factory) {
        table = MethodMetricsTable(
            names: .init(
                side: .client, started: RPCMetricNames.clientStarted, handled: RPCMetricNames.clientHandled,
                messagesIn: RPCMetricNames.clientMessagesReceived, messagesOut: RPCMetricNames.clientMessagesSent,
                seconds: RPCMetricNames.clientHandlingSeconds),
            factory: factory)
    }

    public func intercept<Result: Sendable>(
        method: MethodDescriptor,
        metadata: Metadata,
        options: CallOptions,
        next: (Metadata, CallOptions) async throws -> Result
    ) async throws -> Result {
        let metrics = table.metrics(for: method)
        metrics.started.increment()
        if metrics.hasSingleMessageOut { metrics.messagesOut.increment() }
        let start = ContinuousClock.now
        var code = StatusCode.ok
        defer {
            metrics.latency.recordNanoseconds(nanoseconds(since: start))
            metrics.handled(code).increment()
            if metrics.hasSingleMessageIn, code == .ok { metrics.messagesIn.increment() }
        }
        do {
            var options = options
            if metrics.observesMessages { options.observeMessages(with: metrics) }
            let result = try await next(metadata, options)
            if let reporting = result as? any StatusReporting { code = reporting.statusCode }
            return result
        } catch {
            code =
                switch error {
                case let error as RPCError: error.code
                case is CancellationError: .cancelled
                default: .unknown
                }
            throw error
        }
    }
}
