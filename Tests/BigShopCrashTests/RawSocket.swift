import BigRPCProtos
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A plain TCP connection made with the socket API, for floods of
/// connections that send nothing: far cheaper than a client transport each.
final class RawSocket {
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
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
    }

    /// The message of the GOAWAY the server sent, if it has arrived; never waits.
    func goAwayMessage() -> String? {
        var chunk = [UInt8](repeating: 0, count: 4096)
        let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if count > 0 { received += chunk[0..<count] }
        // length (4) | type (1) | flags (1) | stream id (4) | payload
        guard received.count >= 10, received[4] == 0x06 else { return nil }
        let length = received[0..<4].reduce(0) { $0 << 8 | Int($1) }
        guard received.count >= 4 + length else { return nil }
        return (try? Bigrpc_V1_GoAway(serializedBytes: Array(received[10..<(4 + length)])))?.message
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
