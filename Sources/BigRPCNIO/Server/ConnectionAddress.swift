import NIOCore

/// The unit a per-address connection cap counts: an IPv4 address, or an
/// IPv6 /64 (one subscriber's network: an attacker with IPv6 has billions of
/// addresses in it, a household or a phone uses one /64). An IPv4 address
/// mapped into IPv6 (`::ffff:a.b.c.d`, a dual-stack listener) counts as the
/// IPv4 address.
struct ConnectionAddress: Hashable, Sendable {
    /// 4 bytes (IPv4) or the 8 bytes of the /64 prefix (IPv6).
    private let prefix: [UInt8]

    /// Nil for addresses that are not IP (a Unix socket).
    init?(_ address: SocketAddress?) {
        switch address {
        case .v4(let v4)?:
            var raw = v4.address.sin_addr
            prefix = withUnsafeBytes(of: &raw) { Array($0) }
        case .v6(let v6)?:
            var raw = v6.address.sin6_addr
            let bytes = withUnsafeBytes(of: &raw) { Array($0) }
            let mappedIPv4: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF]
            prefix = bytes.starts(with: mappedIPv4) ? Array(bytes[12..<16]) : Array(bytes[0..<8])
        default:
            return nil
        }
    }
}
