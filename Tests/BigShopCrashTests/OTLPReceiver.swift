import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A stand-in OTLP/HTTP collector on loopback: accepts connections on a
/// Dispatch thread, reads each request's headers and `Content-Length`
/// body, keeps the bodies of POSTs to `/v1/traces`, and answers 200. Enough
/// to see what an exporter sends, without a collector.
final class OTLPReceiver: Sendable {
    let port: Int
    private let listener: Int32
    private let received = Mutex<[[UInt8]]>([])
    private let stopped = Atomic<Bool>(false)

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw CrashTestError("socket() failed") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && listen(fd, 16) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else {
            close(fd)
            throw CrashTestError("cannot listen on loopback")
        }
        listener = fd
        port = Int(UInt16(bigEndian: address.sin_port))
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    /// The bodies of the trace exports received so far.
    var exports: [[UInt8]] { received.withLock { $0 } }

    /// Stops accepting (the accept loop ends at its next connection or poll).
    func stop() {
        stopped.store(true, ordering: .relaxed)
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    private func acceptLoop() {
        while !stopped.load(ordering: .relaxed) {
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else { return }
            var timeout = timeval(tv_sec: 5, tv_usec: 0)
            setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            serve(connection)
            close(connection)
        }
    }

    /// Reads requests on one connection (keep-alive) until it closes.
    private func serve(_ connection: Int32) {
        var buffer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            // Headers, then the body.
            var headerEnd: Int?
            while headerEnd == nil {
                if let end = Self.find([13, 10, 13, 10], in: buffer) {
                    headerEnd = end
                    break
                }
                let count = recv(connection, &chunk, chunk.count, 0)
                if count <= 0 { return }
                buffer.append(contentsOf: chunk[0..<count])
            }
            let head = String(decoding: buffer[0..<headerEnd!], as: UTF8.self)
            let lines = head.split(separator: "\r\n")
            let requestLine = lines.first.map(String.init) ?? ""
            let contentLength =
                lines.dropFirst().compactMap { line -> Int? in
                    let parts = line.split(separator: ":", maxSplits: 1)
                    guard parts.count == 2, parts[0].lowercased() == "content-length" else { return nil }
                    return Int(parts[1].trimmingCharacters(in: .whitespaces))
                }.first ?? 0
            let bodyStart = headerEnd! + 4
            while buffer.count < bodyStart + contentLength {
                let count = recv(connection, &chunk, chunk.count, 0)
                if count <= 0 { return }
                buffer.append(contentsOf: chunk[0..<count])
            }
            let body = Array(buffer[bodyStart..<(bodyStart + contentLength)])
            buffer.removeFirst(bodyStart + contentLength)
            if requestLine.hasPrefix("POST /v1/traces") { received.withLock { $0.append(body) } }
            let response = Array("HTTP/1.1 200 OK\r\nContent-Type: application/x-protobuf\r\nContent-Length: 0\r\n\r\n".utf8)
            _ = send(connection, response, response.count, Int32(MSG_NOSIGNAL))
        }
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for start in 0...(haystack.count - needle.count) where Array(haystack[start..<(start + needle.count)]) == needle {
            return start
        }
        return nil
    }
}
