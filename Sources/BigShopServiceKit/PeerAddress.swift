#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The parts of `ServerContext.peer` that rate limits key on.
public enum PeerAddress {
    /// The address part of a peer such as `127.0.0.1:5000` or `[::1]:5000`;
    /// a peer without a port (`in-process`) is returned as it is.
    public static func host(of peer: String) -> String {
        if peer.hasPrefix("["), let end = peer.firstIndex(of: "]") {
            return String(peer[peer.index(after: peer.startIndex)..<end])
        }
        guard let colon = peer.lastIndex(of: ":") else { return peer }
        let host = peer[..<colon]
        // A bare IPv6 address without brackets or port has several colons.
        return host.contains(":") ? peer : String(host)
    }

    /// The key per-address limits count a peer under: its IPv4 address, or
    /// the /64 prefix of its IPv6 address (`2001:db8:1:2::/64`).
    ///
    /// One IPv6 subscriber is routinely given a whole /64 (2^64 addresses),
    /// so a limit per full IPv6 address would be no limit at all; a /64 is
    /// what one home or phone holds. An IPv4-mapped IPv6 peer
    /// (`::ffff:192.0.2.1`) counts as its IPv4 address. Anything that is not
    /// an IP address (`in-process`) is its own key.
    public static func limitKey(of peer: String) -> String {
        let host = host(of: peer)
        guard host.contains(":") else { return host }
        // Drop a zone (`fe80::1%eth0`): it names an interface, not a host.
        let address = host.split(separator: "%", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? host
        guard let bytes = ipv6Bytes(address) else { return host }
        if bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xFF, bytes[11] == 0xFF {
            return bytes[12...].map(String.init).joined(separator: ".")
        }
        let prefix = Array(bytes[0..<8]) + Array(repeating: 0, count: 8)
        return (ipv6Text(prefix) ?? host) + "/64"
    }

    /// The canonical text (RFC 5952) of 16 IPv6 bytes.
    private static func ipv6Text(_ bytes: [UInt8]) -> String? {
        var address = in6_addr()
        withUnsafeMutableBytes(of: &address) { $0.copyBytes(from: bytes) }
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        guard inet_ntop(AF_INET6, &address, &buffer, socklen_t(buffer.count)) != nil else { return nil }
        return String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The 16 bytes of an IPv6 address in text form, or nil if it is not one.
    private static func ipv6Bytes(_ text: String) -> [UInt8]? {
        guard text.utf8.count <= 64 else { return nil }
        var address = in6_addr()
        let parsed = withUnsafeMutableBytes(of: &address) { buffer in
            inet_pton(AF_INET6, text, buffer.baseAddress)
        }
        guard parsed == 1 else { return nil }
        return withUnsafeBytes(of: &address) { Array($0) }
    }
}
