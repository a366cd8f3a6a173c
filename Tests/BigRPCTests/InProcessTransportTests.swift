import BigRPC
import BigRPCTestingProtos
import Synchronization
import Testing

/// Client streams over the in-process transport once the call has ended:
/// writes must neither block nor pretend the call is still alive; and calls
/// the client abandons, or cancels while a side waits for the other to read,
/// must end on both sides.
@Suite(.timeLimit(.minutes(1)))
struct InProcessTransportTests {
    typealias Chunk = Bigrpc_Testing_V1_StreamingInputCallRequest
    typealias Total = Bigrpc_Testing_V1_StreamingInputCallResponse
    typealias Request = Bigrpc_Testing_V1_SimpleRequest
    typealias Response = Bigrpc_Testing_V1_SimpleResponse

    static let refuse = MethodDescriptor(service: "bigrpc.test.InProcess", method: "Refuse", kind: .clientStreaming)
    static let collect = MethodDescriptor(service: "bigrpc.test.InProcess", method: "Collect", kind: .clientStreaming)
    static let upload = MethodDescriptor(service: "bigrpc.test.InProcess", method: "Upload", kind: .clientStreaming)
    static let ignore = MethodDescriptor(service: "bigrpc.test.InProcess", method: "Ignore", kind: .clientStreaming)
    static let flood = MethodDescriptor(service: "bigrpc.test.InProcess", method: "Flood", kind: .serverStreaming)
    static let relay = MethodDescriptor(service: "bigrpc.test.InProcess", method: "Relay", kind: .serverStreaming)

    /// Refuse fails at once without reading a request; Collect counts them.
    /// Upload, Ignore, Flood and Relay log what happens to them in `log`.
    final class Service: RegistrableRPCService {
        let log = EventLog()
        /// What Upload waits for before reading its requests.
        let uploadGate = Gate()
        /// Writes Flood has started.
        let floodWrites = Counter()
        /// Writes Relay's writer task has started.
        let relayWrites = Counter()

        func registerMethods(with router: inout RPCRouter) {
            router.registerClientStreaming(InProcessTransportTests.refuse) { (_: RPCAsyncSequence<Chunk>, _) -> Total in
                throw RPCError(.invalidArgument, "refused")
            }
            router.registerClientStreaming(InProcessTransportTests.collect) { (requests: RPCAsyncSequence<Chunk>, _) -> Total in
                var total = 0
                for try await request in requests { total += request.payload.count }
                return Total(aggregatedPayloadSize: Int32(total))
            }
            // Upload: waits for `uploadGate` (ignoring cancellation), then
            // counts its requests.
            router.registerClientStreaming(InProcessTransportTests.upload) { (requests: RPCAsyncSequence<Chunk>, _) -> Total in
                self.log.record("upload started")
                await self.uploadGate.wait()
                var count = 0
                do {
                    for try await _ in requests { count += 1 }
                } catch is CancellationError {
                    self.log.record("upload cancelled")
                    throw CancellationError()
                }
                self.log.record("upload got \(count)")
                return Total(aggregatedPayloadSize: Int32(count))
            }
            // Ignore: never reads its requests; sleeps a minute unless cancelled.
            router.registerClientStreaming(InProcessTransportTests.ignore) { (_: RPCAsyncSequence<Chunk>, _) -> Total in
                self.log.record("ignore started")
                do {
                    try await Task.sleep(for: .seconds(60))
                } catch {
                    self.log.record("ignore cancelled")
                    throw error
                }
                return Total()
            }
            // Flood: up to 10,000 messages, stopping when cancelled.
            router.registerServerStreaming(InProcessTransportTests.flood) { (_: Request, writer: RPCWriter<Response>, _) in
                defer { self.log.record("flood ended") }
                for _ in 0..<10_000 {
                    try Task.checkCancellation()
                    self.floodWrites.increment()
                    try await writer.write(Response(payload: [7]))
                }
            }
            // Relay: 10,000 messages written by a task of its own, which the
            // call's cancellation does not reach and which ignores it.
            router.registerServerStreaming(InProcessTransportTests.relay) { (_: Request, writer: RPCWriter<Response>, _) in
                let relayWrites = self.relayWrites
                let relaying = Task {
                    for _ in 0..<10_000 {
                        relayWrites.increment()
                        try await writer.write(Response(payload: [8]))
                    }
                }
                try await relaying.value
                self.log.record("relay ended")
            }
        }
    }

    let service = Service()
    var client: RPCClient { RPCClient(transport: InProcessTransport(server: RPCServer(services: [service]))) }

    /// Far more requests than the request queue holds, after the server
    /// already answered: they are dropped, and the call returns its status.
    @Test func writesAfterTheServerAnsweredDoNotBlock() async throws {
        let response = try await client.clientStreaming(method: Self.refuse, requestType: Chunk.self, responseType: Total.self) { writer in
            for _ in 0..<1_000 { try await writer.write(Chunk(payload: [1])) }
        }
        let error = try #require(throws: RPCError.self) { try response.message }
        #expect(error.code == .invalidArgument && error.message == "refused")
    }

    @Test func aWriteAfterTheDeadlineThrowsDeadlineExceeded() async throws {
        let writes = Mutex(0)
        await #expect {
            _ = try await client.clientStreaming(
                method: Self.collect, requestType: Chunk.self, responseType: Total.self,
                options: CallOptions(timeout: .milliseconds(100))
            ) { writer in
                // Bounded: 500 writes 20 ms apart outlast the deadline many times over.
                for _ in 0..<500 {
                    try await writer.write(Chunk(payload: [1]))
                    writes.withLock { $0 += 1 }
                    try await Task.sleep(for: .milliseconds(20))
                }
            }.message
        } throws: { ($0 as? RPCError)?.code == .deadlineExceeded }
        #expect(writes.withLock { $0 } < 500)
    }

    @Test func aCallWithinItsDeadlineIsUntouched() async throws {
        let response = try await client.clientStreaming(
            method: Self.collect, requestType: Chunk.self, responseType: Total.self,
            options: CallOptions(timeout: .seconds(60))
        ) { writer in
            for size in [2, 3] { try await writer.write(Chunk(payload: [UInt8](repeating: 0, count: size))) }
        }
        #expect(try response.message.aggregatedPayloadSize == 5)
    }

    /// A request writer that throws abandons the call: the handler must not
    /// take the requests sent so far for a complete stream. The handler is
    /// busy (not waiting for a request) when the call is abandoned, so it
    /// learns of it from its request stream, not from a cancelled wait.
    @Test func anAbandonedClientStreamFailsTheHandlersRequests() async throws {
        let service = self.service
        defer { service.uploadGate.open() }
        await #expect(throws: Boom.self) {
            try await client.clientStreaming(method: Self.upload, requestType: Chunk.self, responseType: Total.self) { writer in
                try await writer.write(Chunk(payload: [1]))
                try await writer.write(Chunk(payload: [2]))  // sends the first
                throw Boom()
            }
        }
        #expect(await service.log.waitFor("upload started"))
        service.uploadGate.open()
        #expect(await eventually { service.log.all.contains { $0.hasPrefix("upload got") || $0 == "upload cancelled" } })
        #expect(service.log.all == ["upload started", "upload cancelled"])
    }

    /// The caller's task is cancelled while its request write waits for the
    /// server to read (which it never does): the call ends CANCELLED.
    @Test func cancellingTheCallerEndsARequestWriteWaitingForDemand() async throws {
        let client = self.client
        let service = self.service
        let writes = Counter()
        let ended = Counter()
        let call = Task {
            defer { ended.increment() }
            return try await client.clientStreaming(method: Self.ignore, requestType: Chunk.self, responseType: Total.self) { writer in
                for _ in 0..<1_000 {
                    writes.increment()
                    try await writer.write(Chunk(payload: [1]))
                }
            }
        }
        // The request queue pauses above 16 messages: the 17th write is the
        // one that waits.
        #expect(await service.log.waitFor("ignore started"))
        #expect(await eventually { writes.count >= 17 })
        call.cancel()
        #expect(await service.log.waitFor("ignore cancelled"))
        // Bounded, so that a write that is never resumed fails the test
        // instead of hanging it.
        try #require(await eventually { ended.count == 1 })
        let error = await #expect(throws: RPCError.self) { try await call.value }
        #expect(error?.code == .cancelled)
        #expect(writes.count < 1_000)
    }

    /// The body leaves while the handler's response write waits for the
    /// client to read (which it no longer does): the handler is cancelled
    /// and ends.
    @Test func leavingTheCallEndsAResponseWriteWaitingForDemand() async throws {
        let service = self.service
        let writesBefore = try await client.serverStreaming(request: Request(), method: Self.flood, responseType: Response.self) { _ in
            // The response queue pauses above 16 messages: the 17th write waits.
            #expect(await eventually { service.floodWrites.count >= 17 })
            return service.floodWrites.count
        }
        #expect(writesBefore >= 17)
        #expect(await service.log.waitFor("flood ended"))
        #expect(service.floodWrites.count < 10_000, "stopped, not run to the end")
    }

    /// As above, but the waiting write runs in a task the call's cancellation
    /// does not reach: it returns because the client's leaving ends the
    /// responses, whose later writes are dropped.
    @Test func leavingTheCallReleasesAResponseWriterOutsideTheHandlersTask() async throws {
        let service = self.service
        try await client.serverStreaming(request: Request(), method: Self.relay, responseType: Response.self) { _ in
            #expect(await eventually { service.relayWrites.count >= 17 })
        }
        #expect(await service.log.waitFor("relay ended"))
    }

    struct Boom: Error {}
}
