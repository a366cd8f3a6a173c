import BigRPC
import BigRPCTestingProtos
import Testing

/// Server interceptors: the first listed is the outermost, each sees the
/// handler's outcome on the way out, one that throws instead of calling
/// `next` ends the call with its error, and what they attach to the context
/// (values, trailers) reaches the handler and the client.
@Suite(.timeLimit(.minutes(1)))
struct ServerInterceptorTests {
    typealias Request = Bigrpc_Testing_V1_SimpleRequest
    typealias Response = Bigrpc_Testing_V1_SimpleResponse

    enum Caller: ServerContextKey { typealias Value = String }
    struct Secret: Error {}

    // MARK: Interceptors

    /// Logs the call on the way in and its outcome on the way out.
    struct Tracing: ServerInterceptor {
        let name: String
        let log: EventLog

        func intercept(context: ServerContext, next: @Sendable (ServerContext) async throws -> Void) async throws {
            log.record("\(name) in \(context.method.method) \(context.requestID)")
            do {
                try await next(context)
                log.record("\(name) out")
            } catch let error as RPCError {
                log.record("\(name) saw \(error.code.name)")
                throw error
            } catch {
                log.record("\(name) saw \(type(of: error))")
                throw error
            }
        }
    }

    /// Throws instead of calling `next`.
    struct Rejecting: ServerInterceptor {
        let error: any Error

        func intercept(context: ServerContext, next: @Sendable (ServerContext) async throws -> Void) async throws {
            throw error
        }
    }

    /// Attaches the caller's name (from the `authorization` header) to the context.
    struct Authenticating: ServerInterceptor {
        func intercept(context: ServerContext, next: @Sendable (ServerContext) async throws -> Void) async throws {
            var context = context
            context.values[Caller.self] = context.metadata[Metadata.authorizationKey]
            try await next(context)
        }
    }

    /// Adds a trailer after the handler ran, whatever the outcome.
    struct Stamping: ServerInterceptor {
        func intercept(context: ServerContext, next: @Sendable (ServerContext) async throws -> Void) async throws {
            defer { context.addTrailer("Stamped-By", "interceptor") }
            try await next(context)
        }
    }

    /// Turns any RPCError into UNAVAILABLE.
    struct Mapping: ServerInterceptor {
        func intercept(context: ServerContext, next: @Sendable (ServerContext) async throws -> Void) async throws {
            do {
                try await next(context)
            } catch let error as RPCError {
                throw RPCError(.unavailable, "mapped from \(error.code.name)")
            }
        }
    }

    /// Sleeps a minute before calling `next`, unless cancelled.
    struct Slow: ServerInterceptor {
        let log: EventLog

        func intercept(context: ServerContext, next: @Sendable (ServerContext) async throws -> Void) async throws {
            do {
                try await Task.sleep(for: .seconds(60))
            } catch {
                log.record("slow cancelled")
                throw error
            }
            try await next(context)
        }
    }

    // MARK: The service

    struct Service: RegistrableRPCService {
        static let name = "bigrpc.test.Intercepted"
        static let whoAmI = MethodDescriptor(service: name, method: "WhoAmI", kind: .unary)
        static let fail = MethodDescriptor(service: name, method: "Fail", kind: .unary)

        let log: EventLog

        func registerMethods(with router: inout RPCRouter) {
            // WhoAmI: the caller attached by an interceptor, or "nobody".
            router.registerUnary(Self.whoAmI) { (_: Request, context) in
                log.record("handler \(context.requestID)")
                context.addTrailer("from-handler", "1")
                return Response(payload: Array((context.values[Caller.self] ?? "nobody").utf8))
            }
            router.registerUnary(Self.fail) { (_: Request, _) -> Response in
                log.record("handler")
                throw RPCError(.aborted, "conflict")
            }
        }
    }

    let log = EventLog()

    func server(_ interceptors: [any ServerInterceptor]) -> RPCServer {
        RPCServer(services: [Service(log: log)], interceptors: interceptors)
    }

    // MARK: Tests

    @Test func theFirstInterceptorIsTheOutermost() async throws {
        let server = server([Tracing(name: "A", log: log), Tracing(name: "B", log: log)])
        let sink = await server.handle(Service.whoAmI.path, requests: [try Request().bytes], metadata: [Metadata.requestIDKey: "r"])
        #expect(sink.finishes.map(\.status) == [.ok])
        #expect(log.all == ["A in WhoAmI r", "B in WhoAmI r", "handler r", "B out", "A out"])
    }

    @Test func everyInterceptorSeesTheHandlersError() async throws {
        let server = server([Tracing(name: "A", log: log), Tracing(name: "B", log: log)])
        let sink = await server.handle(Service.fail.path, requests: [try Request().bytes], metadata: [Metadata.requestIDKey: "r"])
        #expect(sink.finishes.map(\.status) == [Status(code: .aborted, message: "conflict")])
        #expect(log.all == ["A in Fail r", "B in Fail r", "handler", "B saw ABORTED", "A saw ABORTED"])
    }

    @Test func aRejectionShortCircuitsTheRest() async throws {
        let rejection = RPCError(.permissionDenied, "admins only", metadata: ["reason": "ROLE"])
        let server = server([Tracing(name: "A", log: log), Rejecting(error: rejection), Tracing(name: "C", log: log)])
        let sink = await server.handle(Service.whoAmI.path, requests: [try Request().bytes], metadata: [Metadata.requestIDKey: "r"])
        #expect(sink.messages.isEmpty)
        #expect(sink.finishes.map(\.status) == [Status(code: .permissionDenied, message: "admins only")])
        #expect(sink.finishes.first?.trailers.dictionary == ["reason": "ROLE", Metadata.requestIDKey: "r"])
        #expect(log.all == ["A in WhoAmI r", "A saw PERMISSION_DENIED"])
    }

    @Test func aNonRPCErrorFromAnInterceptorIsInternal() async throws {
        let server = server([Rejecting(error: Secret())])
        let sink = await server.handle(Service.whoAmI.path, requests: [try Request().bytes])
        #expect(sink.finishes.map(\.status) == [Status(code: .internal, message: "internal error")])
        #expect(log.all.isEmpty)
    }

    @Test func valuesAttachedByAnInterceptorReachTheHandler() async throws {
        let server = server([Authenticating()])
        let sink = await server.handle(Service.whoAmI.path, requests: [try Request().bytes], metadata: ["Authorization": "alice"])
        #expect(sink.messages == [try Response(payload: Array("alice".utf8)).bytes])
    }

    @Test func withoutTheInterceptorTheHandlerSeesNoValue() async throws {
        let sink = await server([]).handle(Service.whoAmI.path, requests: [try Request().bytes], metadata: ["Authorization": "alice"])
        #expect(sink.messages == [try Response(payload: Array("nobody".utf8)).bytes])
    }

    @Test func trailersFromInterceptorAndHandlerAreBothSent() async throws {
        // Stamping is outside Authenticating, which hands the handler a copy
        // of the context: trailers added through either copy are sent.
        let server = server([Stamping(), Authenticating()])
        let sink = await server.handle(Service.whoAmI.path, requests: [try Request().bytes], metadata: [Metadata.requestIDKey: "r"])
        #expect(sink.finishes.first?.trailers.dictionary == ["stamped-by": "interceptor", "from-handler": "1", Metadata.requestIDKey: "r"])
    }

    @Test func trailersFromAnInterceptorAreSentWithAnError() async throws {
        let sink = await server([Stamping()]).handle(Service.fail.path, requests: [try Request().bytes], metadata: [Metadata.requestIDKey: "r"])
        #expect(sink.finishes.map(\.status) == [Status(code: .aborted, message: "conflict")])
        #expect(sink.finishes.first?.trailers.dictionary == ["stamped-by": "interceptor", Metadata.requestIDKey: "r"])
    }

    @Test func anInterceptorMayReplaceTheError() async throws {
        let sink = await server([Mapping()]).handle(Service.fail.path, requests: [try Request().bytes])
        #expect(sink.finishes.map(\.status) == [Status(code: .unavailable, message: "mapped from ABORTED")])
    }

    @Test func anInterceptorRejectsMalformedRequestsToo() async throws {
        // The handler decodes the request, inside the interceptors: they see
        // its INVALID_ARGUMENT.
        let server = server([Tracing(name: "A", log: log)])
        let sink = await server.handle(Service.whoAmI.path, requests: [], metadata: [Metadata.requestIDKey: "r"])
        #expect(sink.finishes.map(\.status.code) == [.invalidArgument])
        #expect(log.all == ["A in WhoAmI r", "A saw INVALID_ARGUMENT"])
    }

    /// Pins today's behaviour: an unknown method is refused before any
    /// interceptor runs (so, for instance, it is not access-logged).
    @Test func interceptorsDoNotSeeUnknownMethods() async throws {
        let server = server([Tracing(name: "A", log: log)])
        let sink = await server.handle("/no.Such/Method", requests: [try Request().bytes])
        #expect(sink.finishes.map(\.status.code) == [.unimplemented])
        #expect(log.all.isEmpty)
    }

    @Test func theDeadlineCoversInterceptors() async throws {
        let server = server([Slow(log: log)])
        let sink = await server.handle(Service.whoAmI.path, requests: [try Request().bytes], timeout: .milliseconds(100))
        #expect(sink.finishes.map(\.status) == [Status(code: .deadlineExceeded, message: "deadline exceeded")])
        #expect(await log.waitFor("slow cancelled"))
        #expect(!log.all.contains { $0.hasPrefix("handler") })
    }
}
