import Hummingbird
import NIOCore

/// Hummingbird's request context plus the client's address, which becomes
/// the BigRPC call's peer (and so its per-address limits).
struct EdgeRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    /// `ip:port` or `[ipv6]:port`, as BigRPC's own transport spells peers.
    let peer: String

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        peer = Self.describe(source.channel.remoteAddress)
    }

    private static func describe(_ address: SocketAddress?) -> String {
        guard let address else { return "unknown" }
        if let ip = address.ipAddress, let port = address.port {
            return address.protocol == .inet6 ? "[\(ip)]:\(port)" : "\(ip):\(port)"
        }
        return address.description
    }
}
