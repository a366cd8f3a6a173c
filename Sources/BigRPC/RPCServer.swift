public import Logging

/// Runs calls: finds each call's handler, applies interceptors and the
/// deadline, and turns the outcome into a status. Transport-agnostic: a
/// ``ServerTransport`` (such as the NIO one) and the in-process transport
/// hand it ``ServerCall``s.
public final class RPCServer: Sendable {
    public let router: RPCRouter
    private let interceptors: [any ServerInterceptor]
    private let logger: Logger

    public init(
        services: [any RegistrableRPCService],
        interceptors: [any ServerInterceptor] = [],
        logger: Logger = Logger(label: "bigrpc.server")
    ) {
        self.router = RPCRouter(services: services)
        self.interceptors = interceptors
        self.logger = logger
    }

    /// Runs one call to completion, then finishes it on `call.responses` —
    /// unless the call was cancelled by the client, in which case nothing more
    /// is sent.
    public func handle(_ call: ServerCall) async {
        let requestID = call.metadata[Metadata.requestIDKey].flatMap { RequestID.isAcceptable($0) ? $0 : nil } ?? RequestID.make()
        guard let handler = router.handler(for: call.path) else {
            call.responses.finish(
                status: Status(code: .unimplemented, message: "method \(Status.excerpt(call.path)) is not implemented"),
                trailers: [Metadata.requestIDKey: requestID]
            )
            return
        }

        // Capped: a transport passes the client's timeout on as it came.
        let deadline = call.timeout.map { ContinuousClock.now + min($0, .maxTimeout) }
        let context = ServerContext(
            method: handler.method,
            metadata: call.metadata,
            deadline: deadline,
            peer: call.peer,
            requestID: requestID,
            values: call.values,
            logger: logger
        )

        let status: Status
        var trailers = Metadata()
        do {
            let body: @Sendable () async throws -> Void = { [interceptors] in
                try await RPCServer.intercepted(interceptors[...], context: context) { context in
                    try await handler.run(context.messageObservers.observing(call), context)
                }
            }
            if let deadline {
                try await withDeadline(deadline, signal: call.deadlineSignal, body)
            } else {
                try await body()
            }
            status = .ok
        } catch let error as RPCError {
            status = error.status
            trailers = error.metadata
        } catch is DeadlineExceededError {
            status = Status(code: .deadlineExceeded, message: "deadline exceeded")
        } catch is CancellationError where Task.isCancelled {
            // The client cancelled: the protocol lets the server send nothing more.
            return
        } catch let error as ResponseEncodingError {
            logger.error(
                "response could not be encoded",
                metadata: [
                    "method": "\(call.path)", "request-id": "\(requestID)", "error": "\(error.underlying)",
                ])
            status = Status(code: .internal, message: "internal error")
        } catch {
            logger.error(
                "handler failed",
                metadata: [
                    "method": "\(call.path)", "request-id": "\(requestID)", "error": "\(error)",
                ])
            status = Status(code: .internal, message: "internal error")
        }
        var allTrailers = context.trailers
        allTrailers.merge(trailers)
        allTrailers[Metadata.requestIDKey] = requestID
        call.responses.finish(status: status, trailers: allTrailers)
    }

    private static func intercepted(
        _ interceptors: ArraySlice<any ServerInterceptor>,
        context: ServerContext,
        _ handler: @escaping @Sendable (ServerContext) async throws -> Void
    ) async throws {
        guard let first = interceptors.first else {
            try await handler(context)
            return
        }
        let rest = interceptors.dropFirst()
        try await first.intercept(context: context) { context in
            try await intercepted(rest, context: context, handler)
        }
    }
}

/// Thrown inside ``withDeadline(_:signal:_:)`` when the deadline passes first.
struct DeadlineExceededError: Error {}

/// Runs `body`, throwing `DeadlineExceededError` if the deadline passes
/// before it finishes. Handler and deadline race in one task group, as in
/// grpc-swift 2's `ServerRPCExecutor`: at the deadline `body` is cancelled
/// and waited for, so its cleanup has run before the status goes out.
///
/// The deadline is `signal` firing when the transport supplies one (no timer
/// here at all), else a child task sleeping until `deadline`.
func withDeadline<T: Sendable>(
    _ deadline: ContinuousClock.Instant,
    signal: DeadlineSignal?,
    _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: DeadlineRaceOutcome<T>.self) { group in
        group.addTask {
            do { return .finished(.success(try await body())) } catch { return .finished(.failure(error)) }
        }
        group.addTask {
            if let signal {
                return await signal.wait() ? .expired : .stopped
            }
            let slept = (try? await Task.sleep(until: deadline, clock: .continuous)) != nil
            return slept ? .expired : .stopped
        }
        var expired = false
        while let outcome = try await group.next() {
            switch outcome {
            case .finished(let result):
                // The handler is done (or, expired, has given up): the
                // deadline's child is stopped.
                group.cancelAll()
                if expired { throw DeadlineExceededError() }
                return try result.get()
            case .expired:
                expired = true
                group.cancelAll()
            case .stopped:
                break
            }
        }
        throw DeadlineExceededError()
    }
}

/// What ends first in ``withDeadline(_:signal:_:)``'s task group.
private enum DeadlineRaceOutcome<T: Sendable>: Sendable {
    case finished(Result<T, any Error>)
    /// The deadline passed.
    case expired
    /// The deadline's child was cancelled: the handler ended first.
    case stopped
}
