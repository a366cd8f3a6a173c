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
}
