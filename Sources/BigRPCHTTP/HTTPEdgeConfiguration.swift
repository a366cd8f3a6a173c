public import NIOSSL

/// Where and how the HTTP edge listens.
public struct HTTPEdgeConfiguration: Sendable {
    /// The address to bind.
    public var host = "127.0.0.1"
    /// The port to bind; 0 picks a free one.
    public var port = 0
    /// The largest request body; larger ones are answered 413 unread.
    public var maxBodyBytes = 64 * 1024
    /// A connection that sends no request for this long is closed (also one
    /// that never sends any: a client holding sockets open costs nothing
    /// for long).
    public var idleTimeout: Duration = .seconds(60)
    /// The largest request head (all header fields together), and the most
    /// header fields; browsers send a few KiB.
    public var maxHeaderBytes = 32 * 1024
    public var maxHeaderFields = 100
    /// Origins whose pages may call the edge (CORS), e.g.
    /// `https://shop.example.com`; `*` allows every origin; empty: none
    /// (same-origin pages only).
    public var allowedOrigins: [String] = []
    /// HTTPS with these settings; nil: plain HTTP.
    public var tls: TLSConfiguration?
    /// Files served as they are to `GET <path>` (e.g. a storefront at `/`),
    /// with a strict Content-Security-Policy: same-origin scripts, styles and
    /// calls only.
    public var staticFiles: [String: HTTPStaticFile] = [:]

    public init() {}
}

/// A file the edge serves as it is.
public struct HTTPStaticFile: Sendable {
    public var contentType: String
    public var body: [UInt8]

    public init(contentType: String, body: [UInt8]) {
        self.contentType = contentType
        self.body = body
    }
}
