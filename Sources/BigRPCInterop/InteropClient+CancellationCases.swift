import BigRPC
import BigRPCTestingProtos

extension InteropClient {
    /// The deadline of `timeout_on_sleeping_server`.
    static let sleepingServerTimeout: Duration = .milliseconds(1)

    /// `cancel_after_begin`: StreamingInputCall, cancelled by the client
    /// before it sends any request, ends with CANCELLED.
    func cancelAfterBegin() async throws(InteropFailure) {
        let service = self.service
        let outcome = await Self.cancelWhenReady { ready in
            try await service.streamingInputCall { _ in
                ready()
                try await Self.waitUntilCancelled()
            }
        }
        try await Expect.failure("StreamingInputCall cancelled before its first request", code: .cancelled) {
            try outcome.get()
        }
    }

    /// `cancel_after_first_response`: FullDuplexCall, cancelled by the client
    /// once the first response arrived, ends with CANCELLED.
    func cancelAfterFirstResponse() async throws(InteropFailure) {
        let service = self.service
        let outcome = await Self.cancelWhenReady { ready in
            try await service.fullDuplexCall { requests, responses in
                try await requests.write(
                    Bigrpc_Testing_V1_StreamingOutputCallRequest(
                        responseParameters: [Bigrpc_Testing_V1_ResponseParameters(size: Int32(Self.responseSizes[0]))],
                        payload: .zeros(Self.requestSizes[0])
                    ))
                var iterator = responses.makeAsyncIterator()
                // The call ended without a response: the case reports it as
                // not cancelled.
                guard try await iterator.next() != nil else { return 0 }
                ready()
                // The server answers nothing more until the next request, so
                // this waits for the cancellation.
                var count = 1
                while try await iterator.next() != nil {
                    count += 1
                }
                return count
            }
        }
        try await Expect.failure("FullDuplexCall cancelled after its first response", code: .cancelled) {
            try outcome.get()
        }
    }

    /// `timeout_on_sleeping_server`: FullDuplexCall with a 1 ms deadline and
    /// a request that asks for no response (the server waits for the next
    /// one) ends with DEADLINE_EXCEEDED.
    func timeoutOnSleepingServer() async throws(InteropFailure) {
        let options = CallOptions(timeout: Self.sleepingServerTimeout)
        try await Expect.failure("FullDuplexCall with a 1 ms deadline", code: .deadlineExceeded) {
            try await service.fullDuplexCall(options: options) { requests, responses in
                try await requests.write(
                    Bigrpc_Testing_V1_StreamingOutputCallRequest(
                        payload: .zeros(Self.requestSizes[0])
                    ))
                return try await responses.payloads()
            }
        }
    }

    /// Runs `call` in its own task, cancels that task once `call` says it is
    /// `ready` (or ends), and returns how the call ended. Cancelling the task
    /// is how a client cancels a call: the transport turns it into a CANCEL.
    static func cancelWhenReady<T: Sendable>(
        _ call: @escaping @Sendable (_ ready: @escaping @Sendable () -> Void) async throws -> T
    ) async -> Result<T, any Error> {
        let (readiness, readinessContinuation) = AsyncStream<Void>.makeStream()
        let task = Task {
            defer { readinessContinuation.finish() }
            return try await call { readinessContinuation.yield() }
        }
        return await withTaskCancellationHandler {
            for await _ in readiness { break }
            task.cancel()
            return await task.result
        } onCancel: {
            task.cancel()
        }
    }

    /// Suspends until the task is cancelled, then throws `CancellationError`.
    static func waitUntilCancelled() async throws {
        while true {
            try await Task.sleep(for: .seconds(3600))
        }
    }
}
