import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// One HTTP/1.1 GET on loopback with `Connection: close`, over the socket
/// API on a Dispatch thread: enough for the admin listener's endpoints,
/// with no HTTP client library in the tests.
enum HTTPGet {
    struct Response: Sendable {
        var status: Int
        var body: String
    }

    /// GETs `path` from 127.0.0.1:`port`; each read waits at most 5 s.
    static func get(port: Int, _ path: String) async throws -> Response {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try blockingGet(port: port, path) })
            }
        }
    }

    private static func blockingGet(port: Int, _ path: String) throws -> Response {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw CrashTestError("socket() failed: errno \(errno)") }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw CrashTestError("cannot connect to the admin port \(port): errno \(errno)") }
        let request = Array("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".utf8)
        guard send(fd, request, request.count, Int32(MSG_NOSIGNAL)) == request.count else { throw CrashTestError("send failed") }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = recv(fd, &buffer, buffer.count, 0)
            if count == 0 { break }
            guard count > 0 else { throw CrashTestError("recv failed: errno \(errno)") }
            received.append(contentsOf: buffer[0..<count])
        }
        let text = String(decoding: received, as: UTF8.self)
        guard let headerEnd = text.range(of: "\r\n\r\n") else { throw CrashTestError("no HTTP response: \(text.prefix(200))") }
        let statusLine = text[..<headerEnd.lowerBound].split(separator: "\r\n").first ?? ""
        let parts = statusLine.split(separator: " ")
        guard parts.count >= 2, let status = Int(parts[1]) else { throw CrashTestError("bad status line \(statusLine)") }
        let headers = text[..<headerEnd.lowerBound].lowercased()
        var body = String(text[headerEnd.upperBound...])
        if headers.contains("transfer-encoding: chunked") { body = dechunk(body) }
        return Response(status: status, body: body)
    }

    /// The body of a chunked response (sizes in hex, each chunk then CRLF).
    private static func dechunk(_ chunked: String) -> String {
        var rest = Substring(chunked)
        var body = ""
        while let lineEnd = rest.range(of: "\r\n"), let size = Int(rest[..<lineEnd.lowerBound], radix: 16), size > 0 {
            let start = lineEnd.upperBound
            let end = rest.utf8.index(start, offsetBy: size)
            body += rest[start..<end]
            rest = rest[end...].dropFirst(2)
        }
        return body
    }
}
