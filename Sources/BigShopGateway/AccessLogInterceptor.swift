public import BigRPC
public import Logging

/// Logs every public call with its request id, method, peer, outcome and
/// duration. It runs first, so it also logs the calls the gateway refuses. Never a token, password or card number: those live in request
/// bodies and the `authorization` header, neither of which is logged.
///
/// Successful calls log at `debug` (a launch has too many to log each at
/// `info`); failures at `info`, and INTERNAL ones at `error`.
public struct AccessLogInterceptor: ServerInterceptor {
    private let logger: Logger

    public init(logger: Logger) {
        self.logger = logger
    }

    public func intercept(
        context: ServerContext,
        next: @Sendable (ServerContext) async throws -> Void
    ) async throws {
        let started = ContinuousClock.now
        var metadata: Logger.Metadata = [
            "request-id": "\(context.requestID)",
            "method": "\(context.method.path)",
            "peer": "\(context.peer)",
        ]
        do {
            try await next(context)
            metadata["duration-ms"] = "\(Self.milliseconds(since: started))"
            logger.debug("call ok", metadata: metadata)
        } catch let error as RPCError {
            metadata["duration-ms"] = "\(Self.milliseconds(since: started))"
            metadata["code"] = "\(error.code.name)"
            if let reason = error.metadata[Metadata.reasonKey] { metadata["reason"] = "\(reason)" }
            logger.log(level: error.code == .internal ? .error : .info, "call failed", metadata: metadata)
            throw error
        } catch {
            metadata["duration-ms"] = "\(Self.milliseconds(since: started))"
            logger.info("call ended", metadata: metadata)
            throw error
        }
    }

    private static func milliseconds(since start: ContinuousClock.Instant) -> Int64 {
        let (seconds, attoseconds) = (ContinuousClock.now - start).components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
