public import Logging
import Synchronization

/// Runs calls: finds each call's handler, applies interceptors and the
/// deadline, and turns the outcome into a status. Transport-agnostic: the NIO
/// transport and the in-process transport both hand it ``ServerCall``s.
public final class RPCServer: Sendable {
    public let router: RPCRouter
    private let interceptors: [any ServerInterceptor]
    private let logger: Logger

    public init(
        services: [any RegistrableRPCService],
        interceptors: [any ServerInterceptor] = [],
        logger: Logger = Logger(label: "bigrpc.server")
    ) {
        var router = RPCRouter()
        for service in services {
            service.registerMethods(with: &router)
        }
        self.router = router
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
            values: call.values
        )

        let status: Status
        var trailers = Metadata()
        do {
            let body: @Sendable () async throws -> Void = { [interceptors] in
                try await RPCServer.intercepted(interceptors[...], context: context) { context in
                    try await handler.run(call, context)
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
            logger.error("response could not be encoded", metadata: [
                "method": "\(call.path)", "request-id": "\(requestID)", "error": "\(error.underlying)",
            ])
            status = Status(code: .internal, message: "internal error")
        } catch {
            logger.error("handler failed", metadata: [
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

/// Runs `body`, throwing `DeadlineExceededError` as soon as the deadline
/// passes if `body` has not finished by then. `body` runs in its own task and
/// is cancelled at the deadline; the caller does not wait for it to notice,
/// so a handler that ignores cancellation cannot hold back the status.
///
/// The deadline is `signal` firing when the transport supplies one (no timer
/// here at all), else a task sleeping until `deadline`.
func withDeadline<T: Sendable>(
    _ deadline: ContinuousClock.Instant,
    signal: DeadlineSignal?,
    _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    let outcome = DeadlineRace<T>()
    // The handler's task reports its own result: no task waits for it.
    let work = Task {
        do {
            outcome.resolve(.success(try await body()))
        } catch {
            outcome.resolve(.failure(error))
        }
    }
    let expired: @Sendable () -> Void = {
        // Resolve first: cancelled, the handler may throw CancellationError
        // at once, and that must not win the race as the call's outcome.
        outcome.resolve(.failure(DeadlineExceededError()))
        work.cancel()
    }
    var sleeper: Task<Void, Never>?
    if let signal {
        signal.onFire(expired)
    } else {
        sleeper = Task {
            guard (try? await Task.sleep(until: deadline, clock: .continuous)) != nil else { return }
            expired()
        }
    }
    defer { sleeper?.cancel() }
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            outcome.setContinuation(continuation)
        }
    } onCancel: {
        work.cancel()
    }
}

/// Resumes a continuation with whichever result arrives first.
private final class DeadlineRace<T: Sendable>: Sendable {
    private let state = Mutex<(continuation: CheckedContinuation<T, any Error>?, result: Result<T, any Error>?)>((nil, nil))

    func setContinuation(_ continuation: CheckedContinuation<T, any Error>) {
        let early: Result<T, any Error>? = state.withLock { state in
            if let result = state.result { return result }
            state.continuation = continuation
            return nil
        }
        if let early { continuation.resume(with: early) }
    }

    func resolve(_ result: Result<T, any Error>) {
        let continuation: CheckedContinuation<T, any Error>? = state.withLock { state in
            guard state.result == nil else { return nil }
            state.result = result
            defer { state.continuation = nil }
            return state.continuation
        }
        continuation?.resume(with: result)
    }
}
