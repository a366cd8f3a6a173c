import BigRPCProtos
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A plain TCP connection made with the socket API, for floods of
/// connections and for attackers that must not cost the test process memory
/// (the test process also runs tests that measure its own): far cheaper
/// than a client transport each. Blocking writes, reads bounded by `poll`;
/// used by one thread at a time.
final class RawSocket: @unchecked Sendable {
    // @unchecked Sendable: handed whole to one thread at a time (the attack's
    // writer threads, then the test task), never used concurrently.
    private let fd: Int32
    private var received: [UInt8] = []

    /// Connects to 127.0.0.1:`port` from the loopback address `host`.
    init(port: Int, from host: String) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw CrashTestError("socket() failed: errno \(errno)") }
        var local = Self.address(host, port: 0)
        var remote = Self.address("127.0.0.1", port: port)
        let length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &local) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        let connected = withUnsafePointer(to: &remote) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, length) } }
        guard bound == 0, connected == 0 else {
            let error = errno
            Glibc.close(fd)
            throw CrashTestError("cannot connect from \(host): errno \(error)")
        }
    }

    /// Writes all of `bytes`, blocking; false if the server closed the connection.
    @discardableResult
    func write(_ bytes: some ContiguousBytes) -> Bool {
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let sent = Glibc.send(fd, buffer.baseAddress! + offset, buffer.count - offset, Int32(MSG_NOSIGNAL))
                if sent <= 0 { return false }
                offset += sent
            }
            return true
        }
    }

    /// The next frame from the server as (type, stream id, payload), waiting
    /// up to `timeout`; nil when none came in time or the connection closed.
    func nextFrame(timeout: Duration) -> (type: UInt8, streamID: UInt32, payload: [UInt8])? {
        let deadline = ContinuousClock.now + timeout
        var polled = false
        while true {
            if received.count >= 10 {
                let length = received[0..<4].reduce(0) { $0 << 8 | Int($1) }
                if received.count >= 4 + length {
                    let streamID = received[6..<10].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
                    let frame = (received[4], streamID, Array(received[10..<(4 + length)]))
                    received.removeFirst(4 + length)
                    return frame
                }
            }
            let left = deadline - ContinuousClock.now
            guard left > .zero || !polled else { return nil }
            polled = true
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let milliseconds = max(0, left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000)
            guard poll(&poller, 1, Int32(clamping: milliseconds)) > 0 else { continue }
            var chunk = [UInt8](repeating: 0, count: 16 * 1024)
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { return nil }
            received += chunk[0..<count]
        }
    }

    /// The message of a GOAWAY the server has sent, if one is already here
    /// or arrives within `timeout`.
    func goAwayMessage(within timeout: Duration = .zero) -> String? {
        while let frame = nextFrame(timeout: timeout) {
            if frame.type == 0x06 { return (try? Bigrpc_V1_GoAway(serializedBytes: frame.payload))?.message }
        }
        return nil
    }

    func close() {
        Glibc.close(fd)
    }

    private static func address(_ host: String, port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr(host)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        return address
    }
}
