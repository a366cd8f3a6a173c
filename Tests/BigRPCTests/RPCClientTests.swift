import BigRPC
import BigRPCCodec
import BigRPCTestingProtos
import Synchronization
import Testing

/// `RPCClient` over `InProcessTransport`: the four call shapes end to end
/// (messages, order, statuses, trailers), what the client reports when the
/// server breaks the shape, and deadlines. Cancellation by the caller is in
/// `RPCClientCancellationTests`.
@Suite(.timeLimit(.minutes(1)))
struct RPCClientTests {
    typealias Request = Bigrpc_Testing_V1_SimpleRequest
    typealias Response = Bigrpc_Testing_V1_SimpleResponse
    typealias Chunk = Bigrpc_Testing_V1_StreamingInputCallRequest
    typealias Total = Bigrpc_Testing_V1_StreamingInputCallResponse

    struct Boom: Error, Equatable {}

    final class Service: RegistrableRPCService {
        static let name = "bigrpc.test.Client"
        static let echo = MethodDescriptor(service: name, method: "Echo", kind: .unary)
        static let fail = MethodDescriptor(service: name, method: "Fail", kind: .unary)
        static let sleep = MethodDescriptor(service: name, method: "Sleep", kind: .unary)
        static let garbled = MethodDescriptor(service: name, method: "Garbled", kind: .unary)
        static let count = MethodDescriptor(service: name, method: "Count", kind: .serverStreaming)
        static let drip = MethodDescriptor(service: name, method: "Drip", kind: .serverStreaming)
        static let sum = MethodDescriptor(service: name, method: "Sum", kind: .clientStreaming)
        static let chat = MethodDescriptor(service: name, method: "Chat", kind: .bidirectionalStreaming)
        /// Count's path, as a client that thinks it unary would call it.
        static let countAsUnary = MethodDescriptor(service: name, method: "Count", kind: .unary)

        let log = EventLog()

        /// Runs `body`, logging "<name> cancelled" if it throws CancellationError.
        private func logCancellation<T>(_ name: String, _ body: () async throws -> T) async throws -> T {
            do {
                return try await body()
            } catch is CancellationError {
                log.record("\(name) cancelled")
                throw CancellationError()
            }
        }

        func registerMethods(with router: inout RPCRouter) {
            // Echo: the payload back, with a trailer; logs the metadata it got.
            router.registerUnary(Self.echo) { (request: Request, context) in
                self.log.record("echo \(context.metadata)")
                context.addTrailer("echo-trailer", "e")
                return Response(payload: request.payload)
            }
            router.registerUnary(Self.fail) { (_: Request, _) -> Response in
                throw RPCError(.notFound, "no such order", metadata: ["reason": "GONE"])
            }
            // Sleep: a minute, unless cancelled.
            router.registerUnary(Self.sleep) { (_: Request, _) -> Response in
                self.log.record("sleep started")
                try await self.logCancellation("sleep") { try await Task.sleep(for: .seconds(60)) }
                return Response()
            }
            // Garbled: a SimpleRequest whose payload is not UTF-8, which a
            // client expecting EchoStatus reads as its string field 2.
            router.registerUnary(Self.garbled) { (_: Request, _) in
                Request(payload: [0xFF, 0xFE])
            }
            // Count: `response_size` messages [0], [1], …, then
            // `response_status` if any; always a trailer.
            router.registerServerStreaming(Self.count) { (request: Request, writer: RPCWriter<Response>, context) in
                context.addTrailer("count-trailer", "c")
                for index in 0..<request.responseSize {
                    try await writer.write(Response(payload: [UInt8(index)]))
                }
                if let status = request.responseStatus {
                    throw RPCError(StatusCode(rawValue: status.code), status.message, metadata: ["reason": "STREAM"])
                }
            }
            // Drip: one message, then sleeps a minute unless cancelled.
            router.registerServerStreaming(Self.drip) { (_: Request, writer: RPCWriter<Response>, _) in
                try await writer.write(Response(payload: [1]))
                try await self.logCancellation("drip") { try await Task.sleep(for: .seconds(60)) }
            }
            // Sum: the total payload size; logs how many requests came.
            router.registerClientStreaming(Self.sum) { (requests: RPCAsyncSequence<Chunk>, _) in
                var count = 0
                var total = 0
                for try await request in requests {
                    count += 1
                    total += request.payload.count
                }
                self.log.record("sum got \(count)")
                return Total(aggregatedPayloadSize: Int32(total))
            }
            // Chat: echoes each request as it comes.
            router.registerBidirectionalStreaming(Self.chat) { (requests: RPCAsyncSequence<Chunk>, writer: RPCWriter<Chunk>, _) in
                try await self.logCancellation("chat") {
                    for try await request in requests { try await writer.write(request) }
                }
                self.log.record("chat ended")
            }
        }
    }

    let service = Service()
    var client: RPCClient { RPCClient(transport: InProcessTransport(server: RPCServer(services: [service]))) }

    // MARK: Unary

    @Test func unaryReturnsTheResponseAndTrailers() async throws {
        let response = try await client.unary(request: Request(payload: [1, 2]), method: Service.echo, responseType: Response.self)
        #expect(try response.message == Response(payload: [1, 2]))
        #expect(response.trailers["echo-trailer"] == "e")
        #expect(isGeneratedRequestID(response.trailers[Metadata.requestIDKey]))
        #expect(response.trailers.count == 2)
    }

    @Test func metadataReachesTheServerAndTheRequestIDComesBack() async throws {
        let response = try await client.unary(
            request: Request(), method: Service.echo, responseType: Response.self,
            metadata: ["X-Tag": "t", "X-Request-ID": "rid-1"]
        )
        #expect(service.log.all == ["echo [x-request-id: rid-1, x-tag: t]"])
        #expect(response.trailers[Metadata.requestIDKey] == "rid-1")
    }

    @Test func aFailedUnaryCallIsAFailedResponse() async throws {
        let response = try await client.unary(request: Request(), method: Service.fail, responseType: Response.self, metadata: [Metadata.requestIDKey: "r"])
        let expected = RPCError(.notFound, "no such order", metadata: ["reason": "GONE", Metadata.requestIDKey: "r"])
        #expect(throws: expected) { try response.message }
        guard case .failure(let error) = response.result else {
            Issue.record("expected a failure, got \(response.result)")
            return
        }
        #expect(error == expected)
        #expect(response.trailers == expected.metadata)
    }

    @Test func anUnknownMethodIsUnimplemented() async throws {
        let method = MethodDescriptor(service: Service.name, method: "Missing", kind: .unary)
        let response = try await client.unary(request: Request(), method: method, responseType: Response.self)
        let error = try #require(throws: RPCError.self) { try response.message }
        #expect(error.status == Status(code: .unimplemented, message: "method /bigrpc.test.Client/Missing is not implemented"))
    }

    @Test func aRequestThatCannotBeEncodedIsNeverSent() async throws {
        let error = await #expect(throws: RPCError.self) {
            try await client.unary(request: Bigrpc_Testing_V1_EchoStatus(message: "a\u{0}b"), method: Service.echo, responseType: Response.self)
        }
        #expect(error?.code == .invalidArgument)
        #expect(error?.message.hasPrefix("request cannot be encoded: ") == true)
        #expect(service.log.all.isEmpty)
    }

    @Test func aResponseThatDoesNotDecodeIsInternal() async throws {
        let error = await #expect(throws: RPCError.self) {
            try await client.unary(request: Request(), method: Service.garbled, responseType: Bigrpc_Testing_V1_EchoStatus.self)
        }
        #expect(error?.code == .internal)
        #expect(error?.message.hasPrefix("response is not a valid bigrpc.testing.v1.EchoStatus: ") == true)
    }

    @Test func twoResponsesToAUnaryCallAreInternal() async throws {
        let error = await #expect(throws: RPCError.self) {
            try await client.unary(request: Request(responseSize: 2), method: Service.countAsUnary, responseType: Response.self)
        }
        #expect(error == RPCError(.internal, "the server sent more than one response"))
    }

    @Test func noResponseToAUnaryCallIsInternal() async throws {
        let error = await #expect(throws: RPCError.self) {
            try await client.unary(request: Request(responseSize: 0), method: Service.countAsUnary, responseType: Response.self)
        }
        #expect(error == RPCError(.internal, "the server ended the call without a response"))
    }

    @Test func aUnaryDeadlineIsDeadlineExceededAndCancelsTheHandler() async throws {
        let response = try await client.unary(
            request: Request(), method: Service.sleep, responseType: Response.self,
            options: CallOptions(timeout: .milliseconds(100))
        )
        let error = try #require(throws: RPCError.self) { try response.message }
        #expect(error.status == Status(code: .deadlineExceeded, message: "deadline exceeded"))
        #expect(await service.log.waitFor("sleep cancelled"))
    }

    // MARK: Server streaming

    @Test func serverStreamingDeliversEveryMessageInOrderThenTrailers() async throws {
        let (payloads, trailersBefore, trailersAfter) = try await client.serverStreaming(
            request: Request(responseSize: 5), method: Service.count, responseType: Response.self
        ) { responses in
            let before = responses.trailers
            var payloads: [[UInt8]] = []
            for try await response in responses { payloads.append(response.payload) }
            return (payloads, before, responses.trailers)
        }
        #expect(payloads == [[0], [1], [2], [3], [4]])
        #expect(trailersBefore == nil)
        #expect(trailersAfter?["count-trailer"] == "c")
        #expect(isGeneratedRequestID(trailersAfter?[Metadata.requestIDKey]))
    }

    @Test func serverStreamingThrowsTheStatusAfterTheMessages() async throws {
        let request = Request(responseSize: 3, responseStatus: .init(code: StatusCode.resourceExhausted.rawValue, message: "enough"))
        let (payloads, error, trailers) = try await client.serverStreaming(
            request: request, method: Service.count, responseType: Response.self, metadata: [Metadata.requestIDKey: "r"]
        ) { responses in
            var payloads: [[UInt8]] = []
            var iterator = responses.makeAsyncIterator()
            do {
                while let response = try await iterator.next() { payloads.append(response.payload) }
                return (payloads, nil as RPCError?, responses.trailers)
            } catch let error as RPCError {
                // The end is final: the iterator has nothing more.
                #expect(try await iterator.next() == nil)
                return (payloads, error, responses.trailers)
            }
        }
        #expect(payloads == [[0], [1], [2]])
        let expectedTrailers: Metadata = ["count-trailer": "c", "reason": "STREAM", Metadata.requestIDKey: "r"]
        #expect(error == RPCError(.resourceExhausted, "enough", metadata: expectedTrailers))
        #expect(trailers == expectedTrailers)
    }

    @Test func aServerStreamingDeadlineEndsTheStream() async throws {
        let received = Counter()
        let error = await #expect(throws: RPCError.self) {
            try await client.serverStreaming(
                request: Request(), method: Service.drip, responseType: Response.self,
                options: CallOptions(timeout: .milliseconds(200))
            ) { responses in
                for try await _ in responses { received.increment() }
            }
        }
        #expect(error?.code == .deadlineExceeded)
        #expect(received.count == 1)
        #expect(await service.log.waitFor("drip cancelled"))
    }

    @Test func aResponseInAStreamThatDoesNotDecodeIsInternal() async throws {
        let error = await #expect(throws: RPCError.self) {
            try await client.serverStreaming(request: Request(responseSize: 1), method: Service.count, responseType: Bigrpc_Testing_V1_AllTypes.Nested.self) {
                responses in
                for try await _ in responses {}
            }
        }
        #expect(error?.code == .internal)
        #expect(error?.message.hasPrefix("response is not a valid ") == true)
    }

    @Test func theCallersOwnErrorIsThrownUnchanged() async throws {
        let error = await #expect(throws: Boom.self) {
            try await client.serverStreaming(request: Request(), method: Service.drip, responseType: Response.self) { responses in
                for try await _ in responses { throw Boom() }
            }
        }
        #expect(error == Boom())
        // Leaving the body early cancels the call.
        #expect(await service.log.waitFor("drip cancelled"))
    }

    // MARK: Client streaming

    @Test func clientStreamingSendsEveryRequest() async throws {
        let response = try await client.clientStreaming(method: Service.sum, requestType: Chunk.self, responseType: Total.self) { writer in
            for size in 1...5 { try await writer.write(Chunk(payload: [UInt8](repeating: 0, count: size))) }
        }
        #expect(try response.message.aggregatedPayloadSize == 15)
        #expect(service.log.all == ["sum got 5"])
    }

    @Test func clientStreamingWithoutRequestsHalfCloses() async throws {
        let response = try await client.clientStreaming(method: Service.sum, requestType: Chunk.self, responseType: Total.self) { _ in }
        #expect(try response.message.aggregatedPayloadSize == 0)
        #expect(service.log.all == ["sum got 0"])
    }

    @Test func manyMoreRequestsThanTheQueueHoldsAllArrive() async throws {
        let response = try await client.clientStreaming(method: Service.sum, requestType: Chunk.self, responseType: Total.self) { writer in
            try await writer.write(contentsOf: (0..<500).map { _ in Chunk(payload: [1]) })
        }
        #expect(try response.message.aggregatedPayloadSize == 500)
    }

    @Test func anErrorFromTheRequestWriterIsThrownUnchanged() async throws {
        let error = await #expect(throws: Boom.self) {
            try await client.clientStreaming(method: Service.sum, requestType: Chunk.self, responseType: Total.self) { writer in
                try await writer.write(Chunk(payload: [1]))
                throw Boom()
            }
        }
        #expect(error == Boom())
    }

    // MARK: Bidirectional streaming

    @Test func bidirectionalCallsInterleave() async throws {
        let echoed = try await client.bidirectionalStreaming(method: Service.chat, requestType: Chunk.self, responseType: Chunk.self) { writer, responses in
            var iterator = responses.makeAsyncIterator()
            var echoed: [[UInt8]] = []
            // Each echo is read before the next request is written.
            for index in 0..<5 {
                try await writer.write(Chunk(payload: [UInt8(index)]), isLast: index == 4)
                let echo = try await iterator.next()
                echoed.append(try #require(echo).payload)
            }
            #expect(try await iterator.next() == nil)
            #expect(responses.trailers?[Metadata.requestIDKey] != nil)
            return echoed
        }
        #expect(echoed == [[0], [1], [2], [3], [4]])
        #expect(await service.log.waitFor("chat ended"))
    }

    @Test func finishBeforeAnyRequestHalfCloses() async throws {
        let count = try await client.bidirectionalStreaming(method: Service.chat, requestType: Chunk.self, responseType: Chunk.self) { writer, responses in
            try await writer.finish()
            var count = 0
            for try await _ in responses { count += 1 }
            return count
        }
        #expect(count == 0)
        #expect(await service.log.waitFor("chat ended"))
    }

    @Test func finishAfterRequestsHalfCloses() async throws {
        let echoed = try await client.bidirectionalStreaming(method: Service.chat, requestType: Chunk.self, responseType: Chunk.self) { writer, responses in
            try await writer.write(Chunk(payload: [1]))
            try await writer.finish()
            var echoed: [[UInt8]] = []
            for try await echo in responses { echoed.append(echo.payload) }
            return echoed
        }
        #expect(echoed == [[1]])
        #expect(await service.log.waitFor("chat ended"))
    }
}
