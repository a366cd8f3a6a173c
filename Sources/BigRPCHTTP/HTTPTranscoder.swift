public import BigRPC
import BigRPCCodec
import Foundation
import ProtoJSON

/// Turns HTTP requests into BigRPC calls on an ``RPCServer`` in the same
/// process, and their outcomes into HTTP answers (Twirp/Connect style):
/// `POST /<package>.<Service>/<Method>` with a proto3-JSON or binary body,
/// errors as `{code, message, reason}` with the HTTP status of the code.
///
/// Calls enter the server exactly as BigRPC calls do, through its
/// interceptors, with the HTTP client's address as their peer: the same
/// authentication, roles and per-address limits apply.
public struct HTTPTranscoder: Sendable {
    /// The body formats of a request and its answer.
    public enum Format: Sendable, Equatable {
        /// proto3 JSON (`application/json`).
        case json
        /// Protobuf binary (`application/proto`).
        case proto

        /// The format a `Content-Type` names, or nil for one the edge does
        /// not speak. A missing header means JSON.
        public init?(contentType: String?) {
            let mediaType =
                (contentType ?? "application/json").split(separator: ";").first?
                .trimmingCharacters(in: .whitespaces).lowercased() ?? ""
            switch mediaType {
            case "application/json", "": self = .json
            case "application/proto", "application/x-protobuf", "application/protobuf": self = .proto
            default: return nil
            }
        }

        /// The `Content-Type` of an answer in this format.
        public var contentType: String {
            switch self {
            case .json: "application/json"
            case .proto: "application/proto"
            }
        }
    }

    /// An HTTP answer: status, headers and body.
    public struct Reply: Sendable {
        public var status: Int
        public var headers: [(name: String, value: String)]
        public var body: [UInt8]
    }

    /// Request headers that become call metadata (lowercase); every other
    /// header stays at the edge.
    public static let forwardedHeaders: Set<String> = [
        Metadata.authorizationKey, Metadata.requestIDKey, Metadata.idempotencyKey,
    ]
    /// A request header giving the call's timeout in milliseconds.
    public static let timeoutHeader = "x-timeout-ms"

    public let routes: HTTPRouteTable
    private let server: RPCServer
    private let defaultTimeout: Duration

    /// - Parameters:
    ///   - server: the server to call (the gateway's public one).
    ///   - services: the services `server` was built with, whose methods
    ///     get routes.
    ///   - defaultTimeout: a call's deadline when the request sets none.
    public init(
        server: RPCServer, services: [any RegistrableRPCService], defaultTimeout: Duration = .seconds(30)
    )
        throws(HTTPRouteError)
    {
        self.server = server
        self.routes = try HTTPRouteTable(services: services)
        self.defaultTimeout = defaultTimeout
    }

    /// The route of `path`, or the error answer for a path without one.
    public func route(_ path: String) -> Result<HTTPRoute, HTTPCallError> {
        if let route = routes.routes[path] { return .success(route) }
        if routes.requestStreamingPaths.contains(path) {
            return .failure(HTTPCallError(.unimplemented, "\(Status.excerpt(path)) streams requests: call it over BigRPC"))
        }
        return .failure(HTTPCallError(.unimplemented, "no method \(Status.excerpt(path)) is served over HTTP", httpStatus: 404))
    }

    /// The call options and metadata of a request's headers (names lowercase).
    public func callSettings(headers: [(name: String, value: String)]) -> (Metadata, CallOptions) {
        var metadata = Metadata()
        var timeout = defaultTimeout
        for (name, value) in headers {
            if Self.forwardedHeaders.contains(name), Metadata.isValidKey(name) {
                metadata[name] = value
            } else if name == Self.timeoutHeader, let milliseconds = Int64(value), milliseconds > 0 {
                timeout = min(.milliseconds(milliseconds), defaultTimeout)
            }
        }
        return (metadata, CallOptions(timeout: timeout))
    }

    /// The request message's encoded bytes from an HTTP body.
    public func requestBytes(_ body: [UInt8], route: HTTPRoute, format: Format) throws(HTTPCallError) -> [UInt8] {
        switch format {
        case .proto:
            return body
        case .json:
            let text = String(decoding: body, as: UTF8.self)
            do {
                let message = try ProtoJSONDecoder().decode(text.isEmpty ? "{}" : text, as: route.input)
                return try DynamicCodec.encode(message)
            } catch let error as ProtoJSONError {
                throw HTTPCallError(.invalidArgument, "the request body: \(error)")
            } catch {
                throw HTTPCallError(.invalidArgument, "the request body: \(error)")
            }
        }
    }

    /// A response message in `format`.
    public func responseBody(_ bytes: [UInt8], route: HTTPRoute, format: Format) throws(HTTPCallError) -> [UInt8] {
        switch format {
        case .proto:
            return bytes
        case .json:
            do {
                let message = try DynamicCodec.decode(bytes, as: route.output)
                return Array(try ProtoJSONEncoder(prettyPrinted: false).encode(message).utf8)
            } catch {
                throw HTTPCallError(.internal, "the response could not be written as JSON: \(error)")
            }
        }
    }

    /// Calls a unary method and answers with its response or its error.
    ///
    /// - Parameters:
    ///   - headers: the request's headers, names lowercase.
    ///   - peer: the HTTP client's address (`ip:port`).
    public func unary(
        path: String, body: [UInt8], format: Format, headers: [(name: String, value: String)], peer: String
    ) async -> Reply {
        let route: HTTPRoute
        switch self.route(path) {
        case .success(let found): route = found
        case .failure(let error): return error.reply(format: format)
        }
        guard route.method.kind == .unary else {
            return HTTPCallError(
                .invalidArgument, "\(Status.excerpt(path)) streams its responses: ask for text/event-stream"
            ).reply(format: format)
        }
        do {
            let request = try requestBytes(body, route: route, format: format)
            let (metadata, options) = callSettings(headers: headers)
            var response: [UInt8]?
            let (status, trailers) = try await RawUnaryCall.run(
                transport: InProcessTransport(server: server, peer: peer), method: route.method, metadata: metadata,
                options: options, request: request
            ) { message in
                guard response == nil else { throw HTTPCallError(.internal, "a unary method answered twice") }
                response = message
            }
            guard status.code == .ok else {
                return HTTPCallError(status: status, trailers: trailers).reply(format: format)
            }
            guard let response else { return HTTPCallError(.internal, "the call ended OK without a response").reply(format: format) }
            return Reply(
                status: 200, headers: [("content-type", format.contentType)] + HTTPCallError.passedTrailers(trailers),
                body: try responseBody(response, route: route, format: format))
        } catch {
            return HTTPCallError(error).reply(format: format)
        }
    }

    /// Calls a server-streaming method, handing each response to `onMessage`
    /// (as JSON) after skipping the first `skip` (an EventSource's
    /// `Last-Event-ID`), and returns how the call ended.
    public func serverStreaming(
        route: HTTPRoute, body: [UInt8], format: Format, headers: [(name: String, value: String)], peer: String,
        skip: Int, onMessage: (_ index: Int, _ json: [UInt8]) async throws -> Void
    ) async -> HTTPCallError? {
        do {
            let request = try requestBytes(body, route: route, format: format)
            let (metadata, options) = callSettings(headers: headers)
            var index = 0
            let (status, trailers) = try await RawUnaryCall.run(
                transport: InProcessTransport(server: server, peer: peer), method: route.method, metadata: metadata,
                options: options, request: request
            ) { message in
                index += 1
                guard index > skip else { return }
                try await onMessage(index, try responseBody(message, route: route, format: .json))
            }
            return status.code == .ok ? nil : HTTPCallError(status: status, trailers: trailers)
        } catch {
            return HTTPCallError(error)
        }
    }
}
