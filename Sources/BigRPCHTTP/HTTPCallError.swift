public import BigRPC
import Foundation

/// A call's failure as the HTTP edge answers it: the HTTP status of its
/// code, and a JSON body `{"code": "NOT_FOUND", "message": "…", "reason": "…"}`
/// (`reason` only when the service gave one). A refusal that says when to
/// come back (`retry-after-ms`) also gets `Retry-After`, in whole seconds.
public struct HTTPCallError: Error, Sendable {
    public var code: StatusCode
    public var message: String
    public var trailers: Metadata
    /// The HTTP status when it is not the code's (a path with no route is
    /// 404, though its code is UNIMPLEMENTED as over BigRPC).
    public var httpStatus: Int

    public init(_ code: StatusCode, _ message: String, trailers: Metadata = [:], httpStatus: Int? = nil) {
        self.code = code
        self.message = message
        self.trailers = trailers
        self.httpStatus = httpStatus ?? code.httpStatus
    }

    public init(status: Status, trailers: Metadata) {
        self.init(status.code, status.message, trailers: trailers)
    }

    /// What a call that threw `error` answers: itself, an ``RPCError``'s
    /// status and trailers, or INTERNAL.
    public init(_ error: any Error) {
        switch error {
        case let error as HTTPCallError: self = error
        case let error as RPCError: self.init(status: error.status, trailers: error.metadata)
        default: self.init(.internal, "\(error)")
        }
    }

    private struct Body: Encodable {
        var code: String
        var message: String
        var reason: String?
    }

    /// The JSON error body.
    public var jsonBody: [UInt8] {
        let body = Body(code: code.name, message: message, reason: trailers[Metadata.reasonKey])
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array((try? encoder.encode(body)) ?? Data(#"{"code":"INTERNAL"}"#.utf8))
    }

    /// The HTTP answer. Errors are JSON whatever the request's format, so
    /// every client can read them.
    public func reply(format: HTTPTranscoder.Format) -> HTTPTranscoder.Reply {
        var headers: [(name: String, value: String)] = [("content-type", "application/json")]
        headers += Self.passedTrailers(trailers)
        if let milliseconds = trailers[Metadata.retryAfterKey].flatMap(Int64.init), milliseconds >= 0 {
            headers.append(("retry-after", String((milliseconds + 999) / 1_000)))
        }
        return HTTPTranscoder.Reply(status: httpStatus, headers: headers, body: jsonBody)
    }

    /// Trailers a browser may use, as response headers.
    static func passedTrailers(_ trailers: Metadata) -> [(name: String, value: String)] {
        [Metadata.requestIDKey, Metadata.retryAfterKey, Metadata.reasonKey].compactMap { key in
            trailers[key].map { (key, $0) }
        }
    }
}
