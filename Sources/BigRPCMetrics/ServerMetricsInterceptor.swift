public import BigRPC
public import CoreMetrics

/// Records every call a server takes, under the names of
/// ``RPCMetricNames``: started and handled (by status code) counters,
/// message counters and a latency histogram per method.
///
/// Install it first, so that it also sees the calls later interceptors
/// refuse (authentication, rate limits):
///
/// ```swift
/// RPCServer(services: services, interceptors: [ServerMetricsInterceptor(), gateway])
/// ```
///
/// Message counts, as gRPC's interceptors count them: the single-message
/// side of a call counts one message (the request of a unary or
/// server-streaming call, even when the call is refused before its handler;
/// the response of a unary or client-streaming call that ended OK); a
/// streaming side counts each message the handler read or wrote, seen
/// through an ``RPCMessageObserver`` on the call.
public struct ServerMetricsInterceptor: ServerInterceptor {
    private let table: MethodMetricsTable

    /// Records into `factory`: by default the process's `MetricsSystem`.
    public init(factory: any MetricsFactory = MetricsSystem.factory) {
        table = MethodMetricsTable(
            names: .init(
                side: .server, started: RPCMetricNames.serverStarted, handled: RPCMetricNames.serverHandled,
                messagesIn: RPCMetricNames.serverMessagesReceived, messagesOut: RPCMetricNames.serverMessagesSent,
                seconds: RPCMetricNames.serverHandlingSeconds),
            factory: factory)
    }

    public func intercept(
        context: ServerContext,
        next: @Sendable (ServerContext) async throws -> Void
    ) async throws {
        let metrics = table.metrics(for: context.method)
        metrics.started.increment()
        let start = ContinuousClock.now
        var code = StatusCode.ok
        defer {
            metrics.latency.recordNanoseconds(nanoseconds(since: start))
            metrics.handled(code).increment()
            if metrics.hasSingleMessageIn { metrics.messagesIn.increment() }
            if metrics.hasSingleMessageOut, code == .ok { metrics.messagesOut.increment() }
        }
        do {
            if metrics.observesMessages {
                var context = context
                context.observeMessages(with: metrics)
                try await next(context)
            } else {
                try await next(context)
            }
        } catch {
            code = ServerMetricsInterceptor.code(of: error, deadline: context.deadline)
            throw error
        }
    }

    /// The status ``RPCServer`` answers for `error`.
    static func code(of error: any Error, deadline: ContinuousClock.Instant?) -> StatusCode {
        switch error {
        case let error as RPCError: return error.code
        case is CancellationError:
            if let deadline, deadline <= .now { return .deadlineExceeded }
            return .cancelled
        default: return .internal
        }
    }
}

/// Whole nanoseconds from `start` to now, saturated to `Int64`.
func nanoseconds(since start: ContinuousClock.Instant) -> Int64 {
    let elapsed = ContinuousClock.now - start
    let (seconds, attoseconds) = elapsed.components
    let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
    return overflow ? .max : scaled + attoseconds / 1_000_000_000
}
