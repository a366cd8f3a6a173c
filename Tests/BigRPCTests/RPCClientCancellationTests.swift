import BigRPC
import BigRPCTestingProtos
import Testing

/// How an `RPCClient` call is cancelled: by cancelling the caller's task
/// (the call throws CANCELLED) or by leaving a streaming body before the
/// server ended the call; either way the handler is cancelled.
@Suite(.timeLimit(.minutes(1)))
struct RPCClientCancellationTests {
    typealias Request = Bigrpc_Testing_V1_SimpleRequest
    typealias Response = Bigrpc_Testing_V1_SimpleResponse
    typealias Chunk = Bigrpc_Testing_V1_StreamingInputCallRequest
    typealias Service = RPCClientTests.Service

    let service = Service()
    var client: RPCClient { RPCClient(transport: InProcessTransport(server: RPCServer(services: [service]))) }

    @Test func cancellingAUnaryCallThrowsCancelledAndCancelsTheHandler() async throws {
        let client = self.client
        let call = Task { try await client.unary(request: Request(), method: Service.sleep, responseType: Response.self) }
        #expect(await service.log.waitFor("sleep started"))
        call.cancel()
        let error = await #expect(throws: RPCError.self) { try await call.value }
        #expect(error == RPCError(.cancelled, "the call was cancelled"))
        #expect(await service.log.waitFor("sleep cancelled"))
    }

    @Test func cancellingAStreamBeingReadThrowsCancelledAndCancelsTheHandler() async throws {
        let client = self.client
        let received = Counter()
        let call = Task {
            try await client.serverStreaming(request: Request(), method: Service.drip, responseType: Response.self) { responses in
                for try await _ in responses { received.increment() }
            }
        }
        #expect(await eventually { received.count == 1 })
        call.cancel()
        let error = await #expect(throws: RPCError.self) { try await call.value }
        #expect(error?.code == .cancelled)
        #expect(await service.log.waitFor("drip cancelled"))
    }

    @Test func aCallFromACancelledTaskIsCancelled() async throws {
        let client = self.client
        let call = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await client.unary(request: Request(), method: Service.echo, responseType: Response.self)
        }
        let error = await #expect(throws: RPCError.self) { try await call.value }
        #expect(error?.code == .cancelled)
    }

    @Test func leavingTheBodyEarlyCancelsTheHandler() async throws {
        let first = try await client.bidirectionalStreaming(method: Service.chat, requestType: Chunk.self, responseType: Chunk.self) { writer, responses in
            try await writer.write(Chunk(payload: [9]))
            var iterator = responses.makeAsyncIterator()
            // Leaves while the handler may still be writing the echo or
            // already waiting for the next request: either way it must see
            // the call cancelled, not its requests ended.
            return try await iterator.next()
        }
        #expect(first == Chunk(payload: [9]))
        #expect(await service.log.waitFor("chat cancelled"))
        #expect(!service.log.all.contains("chat ended"))
    }
}
