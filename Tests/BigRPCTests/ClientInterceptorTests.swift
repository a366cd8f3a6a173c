import BigRPC
import BigRPCTestingProtos
import Synchronization
import Testing

/// Client interceptors: the first listed is the outermost; what each passes
/// to `next` (metadata, options) is what the next one and the server see;
/// one that throws instead of calling `next` sends nothing and its error
/// reaches the caller unchanged; one that calls `next` twice makes two calls.
@Suite(.timeLimit(.minutes(1)))
struct ClientInterceptorTests {
    typealias Request = Bigrpc_Testing_V1_SimpleRequest
    typealias Response = Bigrpc_Testing_V1_SimpleResponse

    struct Refusal: Error, Equatable { let why: String }

    // MARK: Interceptors

    /// Logs the call, appends its name to `x-path`, and logs the way out.
    struct Tracing: ClientInterceptor {
        let name: String
        let log: EventLog

        func intercept<Result: Sendable>(
            method: MethodDescriptor,
            metadata: Metadata,
            options: CallOptions,
            next: (Metadata, CallOptions) async throws -> Result
        ) async throws -> Result {
            log.record("\(name) in \(method.path)")
            var metadata = metadata
            metadata["X-Path"] = (metadata["x-path"].map { $0 + "," } ?? "") + name
            do {
                let result = try await next(metadata, options)
                log.record("\(name) out")
                return result
            } catch {
                log.record("\(name) saw \(error)")
                throw error
            }
        }
    }

    /// Sets the call's timeout.
    struct Deadline: ClientInterceptor {
        let timeout: Duration

        func intercept<Result: Sendable>(
            method: MethodDescriptor,
            metadata: Metadata,
            options: CallOptions,
            next: (Metadata, CallOptions) async throws -> Result
        ) async throws -> Result {
            var options = options
            options.timeout = timeout
            return try await next(metadata, options)
        }
    }

    /// Throws instead of calling `next`.
    struct Refusing: ClientInterceptor {
        let error: any Error

        func intercept<Result: Sendable>(
            method: MethodDescriptor,
            metadata: Metadata,
            options: CallOptions,
            next: (Metadata, CallOptions) async throws -> Result
        ) async throws -> Result {
            throw error
        }
    }

    /// Calls `next` twice, numbering the attempts in `attempt`; returns the second.
    struct TwoAttempts: ClientInterceptor {
        func intercept<Result: Sendable>(
            method: MethodDescriptor,
            metadata: Metadata,
            options: CallOptions,
            next: (Metadata, CallOptions) async throws -> Result
        ) async throws -> Result {
            _ = try await next(metadata.merging(["attempt": "1"]), options)
            return try await next(metadata.merging(["attempt": "2"]), options)
        }
    }

    // MARK: The service

    /// Echo answers with what it saw: `x-path`, `attempt` and whether the
    /// call has a deadline. Sleep sleeps a minute unless cancelled.
    struct Service: RegistrableRPCService {
        static let name = "bigrpc.test.ClientIntercepted"
        static let echo = MethodDescriptor(service: name, method: "Echo", kind: .unary)
        static let sleep = MethodDescriptor(service: name, method: "Sleep", kind: .unary)
        static let stream = MethodDescriptor(service: name, method: "Stream", kind: .serverStreaming)

        let log: EventLog

        static func seen(_ context: ServerContext) -> Response {
            let path = context.metadata["x-path"] ?? "-"
            let attempt = context.metadata["attempt"] ?? "-"
            let deadline = context.deadline == nil ? "no deadline" : "deadline"
            return Response(payload: Array("\(path) \(attempt) \(deadline)".utf8))
        }

        func registerMethods(with router: inout RPCRouter) {
            router.registerUnary(Self.echo) { (_: Request, context) in
                log.record("server \(context.metadata["attempt"] ?? "-")")
                return Self.seen(context)
            }
            router.registerUnary(Self.sleep) { (_: Request, _) -> Response in
                do {
                    try await Task.sleep(for: .seconds(60))
                } catch {
                    log.record("server cancelled")
                    throw error
                }
                return Response()
            }
            router.registerServerStreaming(Self.stream) { (_: Request, writer: RPCWriter<Response>, context) in
                try await writer.write(Self.seen(context))
                try await writer.write(Self.seen(context))
            }
        }
    }

    let log = EventLog()

    func client(_ interceptors: [any ClientInterceptor]) -> RPCClient {
        RPCClient(transport: InProcessTransport(server: RPCServer(services: [Service(log: log)])), interceptors: interceptors)
    }

    func text(_ response: Response) -> String {
        String(decoding: response.payload, as: UTF8.self)
    }

    // MARK: Tests

    @Test func theFirstInterceptorIsTheOutermost() async throws {
        let client = client([Tracing(name: "A", log: log), Tracing(name: "B", log: log)])
        let response = try await client.unary(request: Request(), method: Service.echo, responseType: Response.self)
        #expect(text(try response.message) == "A,B - no deadline")
        #expect(
            log.all == [
                "A in /bigrpc.test.ClientIntercepted/Echo", "B in /bigrpc.test.ClientIntercepted/Echo", "server -", "B out", "A out",
            ])
    }

    @Test func theCallersMetadataReachesTheInterceptors() async throws {
        let client = client([Tracing(name: "A", log: log)])
        let response = try await client.unary(request: Request(), method: Service.echo, responseType: Response.self, metadata: ["X-Path": "caller"])
        #expect(text(try response.message) == "caller,A - no deadline")
    }

    @Test func interceptorsSeeStreamingCallsToo() async throws {
        let client = client([Tracing(name: "A", log: log)])
        let seen = try await client.serverStreaming(request: Request(), method: Service.stream, responseType: Response.self) { responses in
            var seen: [String] = []
            for try await response in responses { seen.append(text(response)) }
            return seen
        }
        #expect(seen == ["A - no deadline", "A - no deadline"])
        #expect(log.all == ["A in /bigrpc.test.ClientIntercepted/Stream", "A out"])
    }

    @Test func optionsSetByAnInterceptorReachTheServer() async throws {
        let response = try await client([Deadline(timeout: .seconds(60))]).unary(request: Request(), method: Service.echo, responseType: Response.self)
        #expect(text(try response.message) == "- - deadline")
    }

    @Test func aTimeoutSetByAnInterceptorIsEnforced() async throws {
        let response = try await client([Deadline(timeout: .milliseconds(100))]).unary(request: Request(), method: Service.sleep, responseType: Response.self)
        let error = try #require(throws: RPCError.self) { try response.message }
        #expect(error.code == .deadlineExceeded)
        #expect(await log.waitFor("server cancelled"))
    }

    @Test func aRefusalSendsNothingAndReachesTheCallerUnchanged() async throws {
        let client = client([Tracing(name: "A", log: log), Refusing(error: Refusal(why: "offline")), Tracing(name: "C", log: log)])
        let error = await #expect(throws: Refusal.self) {
            try await client.unary(request: Request(), method: Service.echo, responseType: Response.self)
        }
        #expect(error == Refusal(why: "offline"))
        #expect(log.all == ["A in /bigrpc.test.ClientIntercepted/Echo", "A saw Refusal(why: \"offline\")"])
    }

    @Test func anRPCErrorRefusalIsThrownAsIs() async throws {
        let refusal = RPCError(.unauthenticated, "sign in first", metadata: ["reason": "NO_TOKEN"])
        let error = await #expect(throws: RPCError.self) {
            try await client([Refusing(error: refusal)]).unary(request: Request(), method: Service.echo, responseType: Response.self)
        }
        #expect(error == refusal)
        #expect(log.all.isEmpty)
    }

    @Test func callingNextTwiceMakesTwoCalls() async throws {
        let response = try await client([TwoAttempts()]).unary(request: Request(), method: Service.echo, responseType: Response.self)
        #expect(text(try response.message) == "- 2 no deadline")
        #expect(log.all == ["server 1", "server 2"])
    }

    @Test func aFailedStatusReachesInterceptorsAsAResult() async throws {
        let client = client([Tracing(name: "A", log: log), Deadline(timeout: .milliseconds(100))])
        let response = try await client.unary(request: Request(), method: Service.sleep, responseType: Response.self)
        // A unary call's status is the response's, not a thrown error: the
        // interceptor sees a result.
        #expect(throws: RPCError.self) { try response.message }
        #expect(log.all.contains("A out"))
    }
}
