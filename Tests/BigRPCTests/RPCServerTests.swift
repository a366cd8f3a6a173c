import BigRPC
import BigRPCCodec
import BigRPCTestingProtos
import Synchronization
import Testing

/// `RPCServer.handle(_:)`: how a call's outcome becomes exactly one status
/// (codes, messages, trailers, `x-request-id`), what reaches the handler
/// (`ServerContext`, decoded requests), and deadlines and client
/// cancellation. Calls are handed to it directly, as a transport does.
@Suite(.timeLimit(.minutes(1)))
struct RPCServerTests {
    typealias Request = Bigrpc_Testing_V1_SimpleRequest
    typealias Response = Bigrpc_Testing_V1_SimpleResponse

    struct Secret: Error, CustomStringConvertible {
        var description: String { "db password hunter2" }
    }

    /// Handlers that report what happened to them.
    final class Service: RegistrableRPCService {
        static let name = "bigrpc.test.Server"
        static let echo = MethodDescriptor(service: name, method: "Echo", kind: .unary)
        static let fail = MethodDescriptor(service: name, method: "Fail", kind: .unary)
        static let trailers = MethodDescriptor(service: name, method: "Trailers", kind: .unary)
        static let sleep = MethodDescriptor(service: name, method: "Sleep", kind: .unary)
        static let stubborn = MethodDescriptor(service: name, method: "Stubborn", kind: .unary)
        static let cancelsItself = MethodDescriptor(service: name, method: "CancelsItself", kind: .unary)
        static let unencodable = MethodDescriptor(service: name, method: "Unencodable", kind: .unary)
        static let stream = MethodDescriptor(service: name, method: "Stream", kind: .serverStreaming)

        let log = EventLog()
        let contexts = Mutex<[ServerContext]>([])
        /// What Stubborn waits for, ignoring cancellation.
        let release = Gate()

        func registerMethods(with router: inout RPCRouter) {
            // Echo: the payload back; remembers its context.
            router.registerUnary(Self.echo) { (request: Request, context) in
                self.contexts.withLock { $0.append(context) }
                self.log.record("echo")
                return Response(payload: request.payload)
            }
            // Fail: the RPCError described by `response_status`, or a
            // non-RPCError whose text must not reach the client.
            router.registerUnary(Self.fail) { (request: Request, _) -> Response in
                guard let status = request.responseStatus else { throw Secret() }
                throw RPCError(StatusCode(rawValue: status.code), status.message, metadata: ["reason": "BECAUSE", "Mixed-Case": "v"])
            }
            // Trailers: sets trailers through its context, then succeeds
            // (response_size 0) or throws an RPCError with a clashing key.
            router.registerUnary(Self.trailers) { (request: Request, context) -> Response in
                context.addTrailer("Handler-Trailer", "h")
                context.addTrailer("shared", "from-context")
                context.addTrailer(Metadata.requestIDKey, "forged")
                if request.responseSize == 1 {
                    throw RPCError(.aborted, "after trailers", metadata: ["shared": "from-error"])
                }
                return Response()
            }
            // Sleep: a minute, unless cancelled.
            router.registerUnary(Self.sleep) { (request: Request, _) -> Response in
                self.log.record("started")
                do {
                    try await Task.sleep(for: .seconds(60))
                } catch {
                    self.log.record("cancelled")
                    throw error
                }
                self.log.record("finished")
                return Response()
            }
            // Stubborn: waits for `release`, ignoring cancellation.
            router.registerUnary(Self.stubborn) { (_: Request, _) -> Response in
                self.log.record("started")
                await self.release.wait()
                self.log.record(Task.isCancelled ? "finished cancelled" : "finished")
                return Response()
            }
            // CancelsItself: throws CancellationError though nobody cancelled it.
            router.registerUnary(Self.cancelsItself) { (_: Request, _) -> Response in
                throw CancellationError()
            }
            // Unencodable: a response holding a NUL in a string.
            router.registerUnary(Self.unencodable) { (_: Request, _) in
                Bigrpc_Testing_V1_EchoStatus(code: 0, message: "a\u{0}b")
            }
            // Stream: `response_size` messages, then `response_status` if any.
            router.registerServerStreaming(Self.stream) { (request: Request, writer: RPCWriter<Response>, _) in
                for index in 0..<request.responseSize {
                    try await writer.write(Response(payload: [UInt8(index)]))
                }
                if let status = request.responseStatus {
                    throw RPCError(StatusCode(rawValue: status.code), status.message)
                }
            }
        }
    }

    let service = Service()
    var server: RPCServer { RPCServer(services: [service]) }

    private func only(_ sink: RecordingSink) throws -> RecordingSink.Finish {
        #expect(sink.finishes.count == 1, "a call is finished exactly once")
        return try #require(sink.finishes.first)
    }

    // MARK: Routing and request ids

    @Test func anUnknownMethodIsUnimplemented() async throws {
        let sink = await server.handle("/no.Such/Method", requests: [try Request().bytes])
        let finish = try only(sink)
        #expect(finish.status == Status(code: .unimplemented, message: "method /no.Such/Method is not implemented"))
        #expect(Array(finish.trailers.dictionary.keys) == [Metadata.requestIDKey])
        #expect(isGeneratedRequestID(finish.trailers[Metadata.requestIDKey]))
        #expect(sink.messages.isEmpty)
    }

    @Test func anUnknownMethodEchoesTheClientsRequestID() async throws {
        let sink = await server.handle("/no.Such/Method", requests: [], metadata: ["X-Request-Id": "req-7"])
        #expect(try only(sink).trailers.dictionary == [Metadata.requestIDKey: "req-7"])
    }

    @Test func anUnfitRequestIDIsReplacedNotEchoed() async throws {
        // Echoed in the trailers and in every log line: a huge one or one
        // that could forge log lines is replaced by one the server makes.
        for unfit in [String(repeating: "r", count: 129), "a\nforged line", "id with spaces", ""] {
            let sink = await server.handle("/no.Such/Method", requests: [], metadata: ["x-request-id": unfit])
            #expect(isGeneratedRequestID(try only(sink).trailers[Metadata.requestIDKey]), "\(unfit.prefix(20))")
        }
        let longest = String(repeating: "r", count: 128)
        let sink = await server.handle("/no.Such/Method", requests: [], metadata: ["x-request-id": longest])
        #expect(try only(sink).trailers[Metadata.requestIDKey] == longest)
    }

    @Test func anUnknownMethodIsQuotedShort() async throws {
        let path = "/" + String(repeating: "m", count: 100_000)
        let sink = await server.handle(path, requests: [])
        let message = try only(sink).status.message
        #expect(message == "method /" + String(repeating: "m", count: 63) + "… is not implemented")
    }

    @Test func aSuccessfulCallSendsTheResponseThenOK() async throws {
        let sink = await server.handle(Service.echo.path, requests: [try Request(payload: [1, 2, 3]).bytes])
        #expect(sink.messages == [try Response(payload: [1, 2, 3]).bytes])
        let finish = try only(sink)
        #expect(finish.status == .ok)
        #expect(Array(finish.trailers.dictionary.keys) == [Metadata.requestIDKey])
        #expect(isGeneratedRequestID(finish.trailers[Metadata.requestIDKey]))
    }

    @Test func theClientsRequestIDIsEchoedAndGivenToTheHandler() async throws {
        let sink = await server.handle(Service.echo.path, requests: [try Request().bytes], metadata: ["X-Request-ID": "abc-123"])
        #expect(try only(sink).trailers[Metadata.requestIDKey] == "abc-123")
        #expect(service.contexts.withLock { $0.map(\.requestID) } == ["abc-123"])
    }

    @Test func anEmptyRequestIDIsReplaced() async throws {
        let sink = await server.handle(Service.echo.path, requests: [try Request().bytes], metadata: [Metadata.requestIDKey: ""])
        let id = try only(sink).trailers[Metadata.requestIDKey]
        #expect(isGeneratedRequestID(id))
        #expect(service.contexts.withLock { $0.map(\.requestID) } == [id])
    }

    @Test func everyCallGetsItsOwnRequestID() async throws {
        var ids: Set<String> = []
        for _ in 0..<20 {
            let sink = await server.handle(Service.echo.path, requests: [try Request().bytes])
            ids.insert(try #require(try only(sink).trailers[Metadata.requestIDKey]))
        }
        #expect(ids.count == 20)
    }

    // MARK: What the handler sees

    @Test func theContextDescribesTheCall() async throws {
        let server = self.server
        _ = await server.handle(Service.echo.path, requests: [try Request().bytes], metadata: ["Authorization": "Bearer t", "x-other": "1"])
        let context = try #require(service.contexts.withLock { $0.first })
        #expect(context.method == Service.echo)
        #expect(context.peer == "test-peer")
        #expect(context.metadata.dictionary == ["authorization": "Bearer t", "x-other": "1"])
        #expect(context.deadline == nil)
    }

    @Test func aTimeoutBecomesTheContextsDeadline() async throws {
        let before = ContinuousClock.now
        _ = await server.handle(Service.echo.path, requests: [try Request().bytes], timeout: .seconds(60))
        let after = ContinuousClock.now
        let deadline = try #require(service.contexts.withLock { $0.first?.deadline })
        // Counted from when the server got the call, which lies between
        // `before` and `after`, however long that took.
        #expect(deadline >= before + .seconds(60))
        #expect(deadline <= after + .seconds(60))
    }

    // MARK: Errors become statuses

    @Test func anRPCErrorPassesThroughWithItsMetadata() async throws {
        let request = Request(responseStatus: .init(code: StatusCode.notFound.rawValue, message: "no such order"))
        let sink = await server.handle(Service.fail.path, requests: [try request.bytes], metadata: [Metadata.requestIDKey: "r1"])
        let finish = try only(sink)
        #expect(finish.status == Status(code: .notFound, message: "no such order"))
        #expect(finish.trailers.dictionary == ["reason": "BECAUSE", "mixed-case": "v", Metadata.requestIDKey: "r1"])
        #expect(sink.messages.isEmpty)
    }

    @Test func anUnexpectedErrorIsInternalWithoutItsDetails() async throws {
        let sink = await server.handle(Service.fail.path, requests: [try Request().bytes], metadata: [Metadata.requestIDKey: "r2"])
        let finish = try only(sink)
        #expect(finish.status == Status(code: .internal, message: "internal error"))
        #expect(finish.trailers.dictionary == [Metadata.requestIDKey: "r2"])
        #expect(!"\(finish.status) \(finish.trailers)".contains("hunter2"))
    }

    @Test func aHandlerThrowingCancellationErrorItselfStillGetsAStatus() async throws {
        let sink = await server.handle(Service.cancelsItself.path, requests: [try Request().bytes])
        #expect(try only(sink).status == Status(code: .internal, message: "internal error"))
    }

    @Test func aResponseThatCannotBeEncodedIsInternal() async throws {
        let sink = await server.handle(Service.unencodable.path, requests: [try Request().bytes])
        #expect(try only(sink).status == Status(code: .internal, message: "internal error"))
        #expect(sink.messages.isEmpty)
    }

    @Test func handlerTrailersAreSentWithOK() async throws {
        let sink = await server.handle(Service.trailers.path, requests: [try Request().bytes], metadata: [Metadata.requestIDKey: "r3"])
        let finish = try only(sink)
        #expect(finish.status == .ok)
        // Keys lowercased; the request id is the server's to set.
        #expect(finish.trailers.dictionary == ["handler-trailer": "h", "shared": "from-context", Metadata.requestIDKey: "r3"])
    }

    @Test func handlerTrailersAreSentWithAnErrorWhoseMetadataWins() async throws {
        let sink = await server.handle(Service.trailers.path, requests: [try Request(responseSize: 1).bytes], metadata: [Metadata.requestIDKey: "r4"])
        let finish = try only(sink)
        #expect(finish.status == Status(code: .aborted, message: "after trailers"))
        #expect(finish.trailers.dictionary == ["handler-trailer": "h", "shared": "from-error", Metadata.requestIDKey: "r4"])
    }

    @Test func aStreamSendsItsMessagesThenItsError() async throws {
        let request = Request(responseSize: 3, responseStatus: .init(code: StatusCode.dataLoss.rawValue, message: "disk"))
        let sink = await server.handle(Service.stream.path, requests: [try request.bytes])
        #expect(sink.messages == [try Response(payload: [0]).bytes, try Response(payload: [1]).bytes, try Response(payload: [2]).bytes])
        #expect(try only(sink).status == Status(code: .dataLoss, message: "disk"))
    }

    // MARK: Requests that break the rules

    @Test func aMalformedRequestIsInvalidArgument() async throws {
        // A length-delimited field 1 whose length is missing.
        let sink = await server.handle(Service.echo.path, requests: [[0x0A]])
        let status = try only(sink).status
        #expect(status.code == .invalidArgument)
        #expect(status.message.hasPrefix("request is not a valid bigrpc.testing.v1.SimpleRequest: "))
        #expect(service.log.all.isEmpty, "the handler never runs")
    }

    @Test func aStringHoldingNULIsInvalidArgument() async throws {
        // SimpleRequest { response_status { message: "a\0b" } }
        let sink = await server.handle(Service.echo.path, requests: [[0x1A, 0x05, 0x12, 0x03, 0x61, 0x00, 0x62]])
        let status = try only(sink).status
        #expect(status.code == .invalidArgument)
        #expect(status.message.contains("NUL"))
        #expect(service.log.all.isEmpty)
    }

    @Test(arguments: [Service.echo, Service.stream])
    func noRequestIsInvalidArgument(method: MethodDescriptor) async throws {
        let sink = await server.handle(method.path, requests: [])
        #expect(try only(sink).status == Status(code: .invalidArgument, message: "expected one request message, received none"))
        #expect(sink.messages.isEmpty)
        #expect(service.log.all.isEmpty)
    }

    @Test(arguments: [Service.echo, Service.stream])
    func twoRequestsAreInvalidArgument(method: MethodDescriptor) async throws {
        let request = try Request(responseSize: 1).bytes
        let sink = await server.handle(method.path, requests: [request, request])
        #expect(try only(sink).status == Status(code: .invalidArgument, message: "expected one request message, received more than one"))
        #expect(sink.messages.isEmpty)
        #expect(service.log.all.isEmpty)
    }

    // MARK: Deadlines and cancellation

    @Test func thePassingDeadlineIsDeadlineExceededAndCancelsTheHandler() async throws {
        let sink = await server.handle(
            Service.sleep.path, requests: [try Request().bytes], metadata: [Metadata.requestIDKey: "r5"], timeout: .milliseconds(100))
        let finish = try only(sink)
        #expect(finish.status == Status(code: .deadlineExceeded, message: "deadline exceeded"))
        #expect(finish.trailers.dictionary == [Metadata.requestIDKey: "r5"])
        #expect(await service.log.waitFor("cancelled"))
        #expect(!service.log.all.contains("finished"))
    }

    /// At the deadline the handler is cancelled and waited for: its
    /// cleanup has run when DEADLINE_EXCEEDED is sent.
    @Test func theDeadlineWaitsForTheCancelledHandlerToFinish() async throws {
        let service = self.service
        let sink = RecordingSink { service.log.all }
        let queue = RPCMessageQueue<[UInt8]>()
        queue.yield(try Request().bytes)
        queue.finish()
        let call = ServerCall(
            path: Service.sleep.path, metadata: [:], timeout: .milliseconds(100), peer: "test-peer",
            requests: RPCAsyncSequence { try await queue.next() }, responses: sink
        )
        await server.handle(call)
        #expect(try only(sink).status.code == .deadlineExceeded)
        #expect(sink.logsAtFinish == [["started", "cancelled"]], "the handler's cleanup ran before the status")
    }

    /// A handler that ignores its cancellation holds back its status until
    /// it returns.
    @Test func theDeadlineWaitsForAHandlerIgnoringCancellation() async throws {
        defer { service.release.open() }
        let server = self.server
        let queue = RPCMessageQueue<[UInt8]>()
        queue.yield(try Request().bytes)
        queue.finish()
        let sink = RecordingSink()
        let handling = Task {
            await server.handle(
                ServerCall(
                    path: Service.stubborn.path, metadata: [:], timeout: .milliseconds(50), peer: "test-peer",
                    requests: RPCAsyncSequence { try await queue.next() }, responses: sink
                ))
        }
        #expect(await service.log.waitFor("started"))
        try await Task.sleep(for: .milliseconds(200))
        #expect(sink.finishes.isEmpty, "no status while the handler runs")
        service.release.open()
        await handling.value
        #expect(service.log.all == ["started", "finished cancelled"])
        #expect(try only(sink).status.code == .deadlineExceeded)
    }

    @Test func aCallCancelledByTheClientEndsWithoutAStatus() async throws {
        let server = self.server
        let sink = RecordingSink()
        let requests = RPCMessageQueue<[UInt8]>()
        requests.yield(try Request().bytes)
        requests.finish()
        let call = ServerCall(
            path: Service.sleep.path, metadata: [:], timeout: nil, peer: "test-peer",
            requests: RPCAsyncSequence { try await requests.next() }, responses: sink
        )
        let handling = Task { await server.handle(call) }
        #expect(await service.log.waitFor("started"))
        handling.cancel()
        await handling.value
        #expect(service.log.all == ["started", "cancelled"])
        #expect(sink.finishes.isEmpty)
        #expect(sink.messages.isEmpty)
    }

    @Test func aCallCancelledByTheClientBeforeItsDeadlineEndsWithoutAStatus() async throws {
        let server = self.server
        let sink = RecordingSink()
        let requests = RPCMessageQueue<[UInt8]>()
        requests.yield(try Request().bytes)
        requests.finish()
        let call = ServerCall(
            path: Service.sleep.path, metadata: [:], timeout: .seconds(30), peer: "test-peer",
            requests: RPCAsyncSequence { try await requests.next() }, responses: sink
        )
        let handling = Task { await server.handle(call) }
        #expect(await service.log.waitFor("started"))
        handling.cancel()
        await handling.value
        #expect(await service.log.waitFor("cancelled"))
        #expect(sink.finishes.isEmpty)
    }
}
