import BigRPC
import HTTPTypes
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
public import Logging
import NIOCore
public import ServiceLifecycle
import Synchronization

/// An HTTP/1.1 listener (Hummingbird) in front of an ``RPCServer``: every
/// unary method as `POST /<package>.<Service>/<Method>`, every
/// server-streaming one also as Server-Sent Events (see ``HTTPTranscoder``
/// for the mapping).
///
/// Server streams: `POST` with `Accept: text/event-stream`, or `GET` with
/// the request as JSON in `?message=` (what a browser's `EventSource` can
/// send; it cannot set headers, so a `GET` stream may carry its bearer
/// token as `?access_token=`). Each response is an event `message` whose
/// `id` counts responses from 1; the last event is `status`, with the
/// call's `{code, message, reason}`. A reconnecting `EventSource` sends
/// `Last-Event-ID`, and the responses up to it are skipped: for streams that
/// replay from the start (WatchOrder), it gets exactly what it missed.
///
/// A `ServiceGroup` member: runs until its graceful shutdown.
public final class HTTPEdge: Service, Sendable {
    private let transcoder: HTTPTranscoder
    private let configuration: HTTPEdgeConfiguration
    private let logger: Logger
    private let bound = BoundAddress()

    public init(transcoder: HTTPTranscoder, configuration: HTTPEdgeConfiguration, logger: Logger) {
        self.transcoder = transcoder
        self.configuration = configuration
        self.logger = logger
    }

    /// The address the edge listens on, once it does.
    public func listeningAddress() async -> SocketAddress {
        await bound.value()
    }

    public func run() async throws {
        let router = Router(context: EdgeRequestContext.self)
        if !configuration.allowedOrigins.isEmpty {
            router.add(middleware: AllowedOriginsMiddleware(configuration.allowedOrigins))
        }
        for (path, file) in configuration.staticFiles {
            let headers: HTTPFields = [
                .contentType: file.contentType, .cacheControl: "no-cache", Self.contentTypeOptions: "nosniff",
                .contentSecurityPolicy:
                    "default-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'",
                Self.referrerPolicy: "no-referrer",
            ]
            let body = ByteBuffer(bytes: file.body)
            router.get(RouterPath(path)) { _, _ in
                Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: body))
            }
        }
        let transcoder = self.transcoder
        let maxBody = configuration.maxBodyBytes
        router.post(":service/:method") { request, context in
            try await Self.post(request, context, transcoder: transcoder, maxBody: maxBody)
        }
        router.get(":service/:method") { request, context in
            Self.get(request, context, transcoder: transcoder)
        }
        let http1 = HTTPServerBuilder.http1(
            configuration: .init(
                idleTimeout: TimeAmount(configuration.idleTimeout),
                httpDecoderConfiguration: .init(
                    maxHeaderFieldSize: configuration.maxHeaderBytes, maxHeaderListSize: configuration.maxHeaderBytes,
                    maxHeaderFieldCount: configuration.maxHeaderFields)))
        let app = Application(
            router: router,
            server: try configuration.tls.map { try .tls(http1, tlsConfiguration: $0) } ?? http1,
            configuration: ApplicationConfiguration(address: .hostname(configuration.host, port: configuration.port), serverName: nil),
            onServerRunning: { [bound, logger] channel in
                guard let address = channel.localAddress else { return }
                logger.info("HTTP/JSON edge listening", metadata: ["address": "\(address)"])
                bound.set(address)
            },
            logger: logger)
        try await app.run()
    }

    private static let lastEventID = HTTPField.Name("last-event-id")!
    private static let contentTypeOptions = HTTPField.Name("x-content-type-options")!
    private static let referrerPolicy = HTTPField.Name("referrer-policy")!

    private static func path(_ context: EdgeRequestContext) -> String {
        "/\(context.parameters.get("service") ?? "")/\(context.parameters.get("method") ?? "")"
    }

    private static func headers(_ request: Request) -> [(name: String, value: String)] {
        request.headers.map { ($0.name.canonicalName.lowercased(), $0.value) }
    }

    private static func post(
        _ request: Request, _ context: EdgeRequestContext, transcoder: HTTPTranscoder, maxBody: Int
    ) async throws -> Response {
        var request = request
        guard let format = HTTPTranscoder.Format(contentType: request.headers[.contentType]) else {
            // Also what keeps a cross-site form (a "simple" request, sent
            // without a CORS preflight) from calling anything.
            return response(
                HTTPCallError(.invalidArgument, "send application/json or application/proto", httpStatus: 415)
                    .reply(format: .json))
        }
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: maxBody)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            return response(
                HTTPCallError(.resourceExhausted, "the request body is larger than \(maxBody) bytes", httpStatus: 413)
                    .reply(format: .json))
        }
        let bytes = Array(buffer: body)
        let path = path(context)
        if request.headers[.accept]?.contains("text/event-stream") == true {
            return stream(
                path: path, body: bytes, format: format, headers: headers(request), lastEventID: lastEventID(request),
                peer: context.peer, transcoder: transcoder)
        }
        return response(
            await transcoder.unary(path: path, body: bytes, format: format, headers: headers(request), peer: context.peer))
    }

    private static func get(_ request: Request, _ context: EdgeRequestContext, transcoder: HTTPTranscoder) -> Response {
        let query = request.uri.queryParameters
        let message = query["message"].map(String.init) ?? "{}"
        var headers = headers(request)
        if let token = query["access_token"], request.headers[.authorization] == nil {
            headers.append(("authorization", "Bearer " + String(token)))
        }
        return stream(
            path: path(context), body: Array(message.utf8), format: .json, headers: headers,
            lastEventID: lastEventID(request), peer: context.peer, transcoder: transcoder)
    }

    /// How many responses a reconnecting `EventSource` already has.
    private static func lastEventID(_ request: Request) -> Int {
        request.headers[Self.lastEventID].flatMap { Int($0) }.map { max($0, 0) } ?? 0
    }

    private static func stream(
        path: String, body: [UInt8], format: HTTPTranscoder.Format, headers: [(name: String, value: String)],
        lastEventID skip: Int, peer: String, transcoder: HTTPTranscoder
    ) -> Response {
        let route: HTTPRoute
        switch transcoder.route(path) {
        case .success(let found) where found.method.kind == .serverStreaming: route = found
        case .success: return response(HTTPCallError(.invalidArgument, "\(path) is unary: POST it").reply(format: .json))
        case .failure(let error): return response(error.reply(format: .json))
        }
        return Response(
            status: .ok,
            headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"],
            body: ResponseBody { writer in
                let failure = await transcoder.serverStreaming(
                    route: route, body: body, format: format, headers: headers, peer: peer, skip: skip
                ) { index, json in
                    try await writer.write(ByteBuffer(string: "id: \(index)\nevent: message\ndata: \(String(decoding: json, as: UTF8.self))\n\n"))
                }
                let status = failure ?? HTTPCallError(.ok, "")
                try await writer.write(ByteBuffer(string: "event: status\ndata: \(String(decoding: status.jsonBody, as: UTF8.self))\n\n"))
                try await writer.finish(nil)
            })
    }

    private static func response(_ reply: HTTPTranscoder.Reply) -> Response {
        var fields = HTTPFields()
        for (name, value) in reply.headers {
            if let name = HTTPField.Name(name) { fields.append(HTTPField(name: name, value: value)) }
        }
        return Response(
            status: HTTPResponse.Status(code: reply.status), headers: fields,
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: reply.body)))
    }
}

/// The listener's address, for callers that wait for it.
private final class BoundAddress: Sendable {
    private let state = Mutex<(address: SocketAddress?, waiters: [CheckedContinuation<SocketAddress, Never>])>((nil, []))

    func value() async -> SocketAddress {
        await withCheckedContinuation { continuation in
            let address = state.withLock { state -> SocketAddress? in
                if state.address == nil { state.waiters.append(continuation) }
                return state.address
            }
            if let address { continuation.resume(returning: address) }
        }
    }

    func set(_ address: SocketAddress) {
        let waiters = state.withLock { state in
            state.address = address
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume(returning: address) }
    }
}
