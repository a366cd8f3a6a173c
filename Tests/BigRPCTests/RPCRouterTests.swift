import BigRPC
import BigRPCTestingProtos
import Testing

/// `RPCRouter`: which methods a server has, found by their exact path; one
/// handler per path (registering a path twice is a programming error that
/// stops the process).
@Suite struct RPCRouterTests {
    typealias Request = Bigrpc_Testing_V1_SimpleRequest
    typealias Response = Bigrpc_Testing_V1_SimpleResponse

    /// One method of each shape; every handler answers with its own name, so
    /// a test sees which one ran.
    struct Shapes: RegistrableRPCService {
        let service: String

        var unary: MethodDescriptor { MethodDescriptor(service: service, method: "Unary", kind: .unary) }
        var serverStreaming: MethodDescriptor { MethodDescriptor(service: service, method: "ServerStreaming", kind: .serverStreaming) }
        var clientStreaming: MethodDescriptor { MethodDescriptor(service: service, method: "ClientStreaming", kind: .clientStreaming) }
        var bidirectional: MethodDescriptor { MethodDescriptor(service: service, method: "Bidirectional", kind: .bidirectionalStreaming) }

        static func answer(_ name: String, _ context: ServerContext) -> Response {
            Response(payload: Array("\(name) \(context.method.path) \(context.method.kind)".utf8))
        }

        func registerMethods(with router: inout RPCRouter) {
            router.registerUnary(unary) { (_: Request, context) in Self.answer("unary", context) }
            router.registerServerStreaming(serverStreaming) { (_: Request, writer: RPCWriter<Response>, context) in
                try await writer.write(Self.answer("serverStreaming", context))
            }
            router.registerClientStreaming(clientStreaming) { (requests: RPCAsyncSequence<Request>, context) in
                for try await _ in requests {}
                return Self.answer("clientStreaming", context)
            }
            router.registerBidirectionalStreaming(bidirectional) { (requests: RPCAsyncSequence<Request>, writer: RPCWriter<Response>, context) in
                for try await _ in requests {}
                try await writer.write(Self.answer("bidirectional", context))
            }
        }
    }

    static let shapes = Shapes(service: "bigrpc.test.Shapes")

    @Test func anEmptyRouterHasNothing() {
        let router = RPCRouter()
        #expect(router.methods.isEmpty)
        #expect(router.services.isEmpty)
    }

    @Test func listsEveryRegisteredMethodSortedByPath() {
        var router = RPCRouter()
        router.register(Self.shapes)
        let shapes = Self.shapes
        #expect(router.methods == [shapes.bidirectional, shapes.clientStreaming, shapes.serverStreaming, shapes.unary])
        #expect(router.methods.map(\.kind) == [.bidirectionalStreaming, .clientStreaming, .serverStreaming, .unary])
        #expect(router.services == ["bigrpc.test.Shapes"])
    }

    @Test func listsServicesOnceEachSorted() {
        var router = RPCRouter()
        router.register(Shapes(service: "z.Last"))
        router.register(Shapes(service: "a.First"))
        #expect(router.services == ["a.First", "z.Last"])
        #expect(router.methods.count == 8)
        #expect(router.methods.map(\.path) == router.methods.map(\.path).sorted())
    }

    @Test func registerIsRegisterMethods() {
        var viaRegister = RPCRouter()
        viaRegister.register(Self.shapes)
        var direct = RPCRouter()
        Self.shapes.registerMethods(with: &direct)
        #expect(viaRegister.methods == direct.methods)
    }

    @Test func theServerRoutesEachPathToItsHandler() async throws {
        let server = RPCServer(services: [Self.shapes])
        let request = try Request().bytes
        for (method, name) in [
            (Self.shapes.unary, "unary"), (Self.shapes.serverStreaming, "serverStreaming"),
            (Self.shapes.clientStreaming, "clientStreaming"), (Self.shapes.bidirectional, "bidirectional"),
        ] {
            let sink = await server.handle(method.path, requests: [request])
            #expect(sink.finishes.map(\.status) == [.ok], "\(name)")
            let response = try #require(sink.messages.first.map { try Response(serializedBytes: $0) })
            // The handler's context names the method as registered.
            #expect(String(decoding: response.payload, as: UTF8.self) == "\(name) \(method.path) \(method.kind)")
        }
    }

    @Test func theSameMethodNameInTwoServicesIsTwoMethods() async throws {
        let server = RPCServer(services: [Shapes(service: "one.S"), Shapes(service: "two.S")])
        let sink = await server.handle("/two.S/Unary", requests: [try Request().bytes])
        let response = try Response(serializedBytes: try #require(sink.messages.first))
        #expect(String(decoding: response.payload, as: UTF8.self) == "unary /two.S/Unary unary")
    }

    @Test(arguments: [
        "/bigrpc.test.Shapes/unary",  // method case
        "/BigRPC.test.Shapes/Unary",  // service case
        "bigrpc.test.Shapes/Unary",  // no leading slash
        "/bigrpc.test.Shapes/Unary/",  // trailing slash
        "/bigrpc.test.Shapes",  // service only
        "/bigrpc.test.Shapes/",
        "//Unary",
        "",
    ])
    func pathsMatchExactly(path: String) async throws {
        let server = RPCServer(services: [Self.shapes])
        let sink = await server.handle(path, requests: [try Request().bytes])
        #expect(sink.messages.isEmpty)
        #expect(sink.finishes.map(\.status) == [Status(code: .unimplemented, message: "method \(path) is not implemented")])
    }

    @Test func registeringAPathTwiceStopsTheProcess() async {
        await #expect(processExitsWith: .failure) {
            var router = RPCRouter()
            router.register(RPCRouterTests.shapes)
            router.registerUnary(MethodDescriptor(service: "bigrpc.test.Shapes", method: "Unary", kind: .unary)) {
                (request: Request, _) in Response(payload: request.payload)
            }
        }
    }

    @Test func aServerOfTwoServicesSharingAPathStopsTheProcess() async {
        await #expect(processExitsWith: .failure) {
            _ = RPCServer(services: [RPCRouterTests.shapes, RPCRouterTests.shapes])
        }
    }
}
