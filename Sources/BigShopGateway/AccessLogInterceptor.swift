public import BigRPC
public import Logging

/// Logs every public call with its request id, method, peer, outcome and
/// duration. It runs first, so it also logs the calls the gateway refuses. Never a token, password or card number: those live in request
/// bodies and the `authorization` header, neither of which is logged.
///
/// Successful calls log at `debug` (a launch has too many to log each at
/// `info`); failures at `info`, and INTERNAL ones at `error`. Refusals
/// (RESOURCE_EXHAUSTED) and cancelled calls are what a flood is made of:
/// the first of each kind in an interval gets its line, the rest one line
/// per interval with their count ("calls aggregated").
public struct AccessLogInterceptor: ServerInterceptor {
    private let logger: Logger
    private let tally: AccessLogTally

    /// - Parameter aggregationInterval: how often at most a refused or
    ///   cancelled call of one kind is logged on its own line.
    public init(logger: Logger, aggregationInterval: Duration = .seconds(10)) {
        self.logger = logger
        self.tally = AccessLogTally(interval: aggregationInterval)
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
            let reason = error.metadata[Metadata.reasonKey]
            if let reason { metadata["reason"] = "\(reason)" }
            if error.code == .resourceExhausted || error.code == .cancelled {
                let kind = reason.map { "\(error.code.name) \($0)" } ?? error.code.name
                guard loggedAlone(kind, context: context) else { throw error }
            }
            logger.log(level: error.code == .internal ? .error : .info, "call failed", metadata: metadata)
            throw error
        } catch {
            metadata["duration-ms"] = "\(Self.milliseconds(since: started))"
            // A task cancelled (the client cancelled, or its connection went).
            guard loggedAlone("ended", context: context) else { throw error }
            logger.info("call ended", metadata: metadata)
            throw error
        }
    }

    /// Counts a call of `kind`; whether to log it on its own line. When not,
    /// a line for all of the interval's calls of that kind is scheduled.
    private func loggedAlone(_ kind: String, context: ServerContext) -> Bool {
        switch tally.record(kind, method: context.method.path, peer: context.peer) {
        case .log:
            return true
        case .quiet:
            return false
        case .flushLater(let due):
            let (tally, logger) = (self.tally, self.logger)
            Task.detached {
                try? await Task.sleep(until: due)
                guard let counted = tally.flush(kind) else { return }
                logger.info(
                    "calls aggregated",
                    metadata: [
                        "kind": "\(kind)",
                        "count": "\(counted.count)",
                        "interval": "\(tally.interval)",
                        "last-method": "\(counted.method)",
                        "last-peer": "\(counted.peer)",
                    ])
            }
            return false
        }
    }

    private static func milliseconds(since start: ContinuousClock.Instant) -> Int64 {
        let (seconds, attoseconds) = (ContinuousClock.now - start).components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
