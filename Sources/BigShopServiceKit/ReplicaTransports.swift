public import BigRPC

/// Connections to the other replicas of this process's services, by the internal address a
/// lease names: a standby forwards the calls of a singleton role to the instance holding it.
public protocol ReplicaTransports: Sendable {
    /// A transport to the replica serving its internal API at `address` (`host:port`), or
    /// nil if it cannot be reached from here (the address is malformed or this process).
    func transport(to address: String) -> (any ClientTransport)?
    /// Closes every connection (at shutdown).
    func close() async
}

/// The metadata of a call one replica forwards to another.
public enum ReplicaForwarding {
    /// Set on a forwarded call, so that it is never forwarded again (two replicas that
    /// each believe the other holds a lease answer UNAVAILABLE instead of ping-ponging).
    public static let forwardedKey = ForwardedPrincipal.reservedPrefix + "forwarded"

    /// `true` when the call was forwarded by another replica.
    public static func wasForwarded(_ context: ServerContext) -> Bool {
        context.metadata[forwardedKey] != nil
    }

    /// The metadata to forward a call with: the caller's principal (if any) and the mark.
    public static func metadata(for context: ServerContext) -> Metadata {
        var metadata: Metadata = [forwardedKey: "1"]
        if let principal = context.values[PrincipalKey.self] {
            metadata[ForwardedPrincipal.metadataKey] = ForwardedPrincipal.encode(principal)
        }
        return metadata
    }
}
