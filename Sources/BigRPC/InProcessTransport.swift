/// A client transport that calls an ``RPCServer`` in the same process, with
/// no sockets and no framing: for fast tests of services and interceptors, and
/// for services of one process calling each other.
///
/// Calls keep their semantics: metadata, deadlines (enforced by the server;
/// a request written after the deadline throws `DEADLINE_EXCEEDED`, as over
/// TCP), cancellation when the client's body returns early or its task is
/// cancelled, and statuses.
public struct InProcessTransport: ClientTransport {
    /// The server every call goes to.
    public let server: RPCServer
    /// What the server's ``ServerContext/peer`` says of these calls.
    public let peer: String

    /// A transport whose calls `server` handles, each in a task of its own.
    ///
    /// - Parameter peer: the calls' remote address as the server sees it:
    ///   `in-process`, or the address of the client that a bridge (such as
    ///   an HTTP edge) calls on behalf of, so per-address limits still apply.
    public init(server: RPCServer, peer: String = "in-process") {
        self.server = server
        self.peer = peer
    }

    /// Starts the call on ``server`` and lends `body` its stream.
    ///
    /// When `body` leaves before the server ended the call, or the calling
    /// task is cancelled, the call is cancelled as by a CANCEL frame: the
    /// handler's task is cancelled, its request stream throws
    /// `CancellationError` (it does not end as if the client had
    /// half-closed), and a request or response write waiting for the other
    /// side to read stops waiting.
    public func withStream<Result: Sendable>(
        method: MethodDescriptor,
        metadata: Metadata,
        options: CallOptions,
        _ body: (ClientStream) async throws -> Result
    ) async throws -> Result {
        let requests = RPCMessageQueue<[UInt8]>()
        let responses = RPCMessageQueue<ClientResponsePart>()
        let call = ServerCall(
            path: method.path,
            metadata: metadata,
            timeout: options.timeout,
            peer: peer,
            requests: RPCAsyncSequence { try await requests.next() },
            responses: ResponseSink(queue: responses, requests: requests)
        )
        let server = self.server
        let serverTask = Task { await server.handle(call) }
        return try await withTaskCancellationHandler {
            defer {
                // Ends the handler if the body left before the call ended, as a
                // CANCEL frame would; a no-op for a finished call. The requests
                // fail rather than end, so the handler cannot take those sent
                // so far for the whole stream; and nobody reads the responses
                // any more, so a handler's write waiting for demand returns.
                serverTask.cancel()
                requests.finish(throwing: CancellationError())
                responses.finish(throwing: CancellationError())
            }
            return try await body(
                ClientStream(
                    requests: RequestSink(
                        queue: requests,
                        responses: responses,
                        deadline: options.timeout.map { ContinuousClock.now + min($0, .maxTimeout) }
                    ),
                    responses: RPCAsyncSequence { try await responses.next() }
                ))
        } onCancel: {
            // The calling task is cancelled: the call ends at once on both
            // sides, even if `body` is slow to notice.
            serverTask.cancel()
            requests.finish(throwing: CancellationError())
            responses.finish(throwing: CancellationError())
        }
    }

    private struct ResponseSink: ServerResponseSink {
        let queue: RPCMessageQueue<ClientResponsePart>
        let requests: RPCMessageQueue<[UInt8]>

        func write(_ message: [UInt8]) async throws {
            // When the client leaves the call while this waits, the handler's
            // task is cancelled (this throws CancellationError) or, for a
            // write from another task, the responses end (this returns, and
            // later writes are dropped).
            if !queue.yield(.message(message)) { try await queue.waitForDemand() }
        }

        func finish(status: Status, trailers: Metadata) {
            queue.yield(.status(status, trailers))
            queue.finish()
            // Nobody reads requests any more: later writes are dropped rather
            // than waiting for demand that never comes.
            requests.finish()
        }
    }

    private final class RequestSink: ClientRequestSink {
        private let queue: RPCMessageQueue<[UInt8]>
        private let responses: RPCMessageQueue<ClientResponsePart>
        private let deadline: ContinuousClock.Instant?
        /// Nothing to hold back in-process: ``finish()`` works at any time.
        let halfClosesAfterMessages = true

        init(queue: RPCMessageQueue<[UInt8]>, responses: RPCMessageQueue<ClientResponsePart>, deadline: ContinuousClock.Instant?) {
            self.queue = queue
            self.responses = responses
            self.deadline = deadline
        }

        /// Throws when the call has ended on this side, as the TCP transport does.
        private func throwIfEndedLocally() throws {
            if let failure = responses.failure { throw failure }
            if let deadline, ContinuousClock.now >= deadline { throw RPCError(.deadlineExceeded, "deadline exceeded") }
        }

        func write(_ message: [UInt8], endStream: Bool) async throws {
            try throwIfEndedLocally()
            // Throws CancellationError when the caller's task is cancelled
            // while the server is not reading.
            if !queue.yield(message) {
                try await queue.waitForDemand()
                // The call may have been cancelled while this waited.
                if let failure = responses.failure { throw failure }
            }
            if endStream { queue.finish() }
        }

        func finish() async throws {
            try throwIfEndedLocally()
            queue.finish()
        }
    }
}
