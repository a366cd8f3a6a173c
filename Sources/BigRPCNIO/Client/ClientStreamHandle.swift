import BigRPC
import NIOCore
import Synchronization

/// One call's view of its connection: writes hop to the event loop, and
/// responses arrive in a bounded queue. Used by a single call task.
final class ClientStreamHandle: ClientRequestSink {
    /// The call's local handle on its connection (not the wire stream id).
    let handle: UInt64
    let responses: RPCMessageQueue<ClientResponsePart>
    private let eventLoop: any EventLoop
    // NIOLoopBound: the handler is only touched inside `eventLoop.execute`.
    private let handler: NIOLoopBound<ClientConnectionHandler>
    private let budget: WriteBudget
    /// The server takes HALF_CLOSE (``BigRPCClientTransport/Configuration/halfClose``).
    let halfClosesAfterMessages: Bool
    /// Set once HEADERS have been handed to the event loop.
    private let headersSent = Atomic(false)

    init(
        handle: UInt64,
        responses: RPCMessageQueue<ClientResponsePart>,
        eventLoop: any EventLoop,
        handler: NIOLoopBound<ClientConnectionHandler>,
        writable: AtomicFlag,
        halfClosesAfterMessages: Bool
    ) {
        self.handle = handle
        self.responses = responses
        self.eventLoop = eventLoop
        self.handler = handler
        self.budget = WriteBudget(writable: writable)
        self.halfClosesAfterMessages = halfClosesAfterMessages
    }

    func write(_ message: [UInt8], endStream: Bool) async throws {
        try throwIfEndedLocally()
        guard message.count <= Frame.largestEncodablePayload else {
            throw RPCError(.invalidArgument, "a request of \(message.count) bytes is larger than a frame can carry")
        }
        headersSent.store(true, ordering: .relaxed)
        let (id, handler, budget, size) = (handle, self.handler, self.budget, message.count)
        if budget.reserve(size) {
            // Usually the write just goes; a failure (connection lost) reaches
            // the caller through the responses.
            eventLoop.execute {
                try? handler.value.send(id, message, endStream: endStream)
                budget.release(size)
            }
            return
        }
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            eventLoop.execute {
                budget.release(size)
                do {
                    try handler.value.send(id, message, endStream: endStream)
                    handler.value.waitUntilWritable(id, continuation)
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }

    /// Half-closes: HEADERS with END_STREAM before any message, else a
    /// HALF_CLOSE frame (FAILED_PRECONDITION when the transport is set up
    /// for a server that takes none).
    func finish() async throws {
        try throwIfEndedLocally()
        headersSent.store(true, ordering: .relaxed)
        let (id, handler) = (handle, self.handler)
        try await eventLoop.submit { try handler.value.halfClose(id) }.get()
    }

    /// A call this side ended (deadline, cancellation, connection lost) takes
    /// no more requests: writing throws why. After the server's status,
    /// requests are dropped instead; the response carries the outcome.
    private func throwIfEndedLocally() throws {
        if let failure = responses.failure { throw failure }
    }

    /// The response parts; reading first (before any write) sends the HEADERS.
    func responseSequence() -> RPCAsyncSequence<ClientResponsePart> {
        RPCAsyncSequence { [self] in
            if !headersSent.exchange(true, ordering: .relaxed) {
                let (id, handler) = (handle, self.handler)
                eventLoop.execute { handler.value.sendHeadersIfPending(id) }
            }
            return try await responses.next()
        }
    }

    /// Ends the call from the client's side if it is still running.
    func cancel() {
        let (id, handler) = (handle, self.handler)
        eventLoop.execute { handler.value.cancel(id) }
    }

    /// Called by the response queue when it drains below its low watermark.
    static func resumeReading(_ id: UInt64, eventLoop: any EventLoop, handler: NIOLoopBound<ClientConnectionHandler>) {
        eventLoop.execute { handler.value.resumeIfPaused(id) }
    }
}
