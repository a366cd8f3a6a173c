import BigRPC
import BigShopFlashSaleAPI
import BigShopServiceKit
import Synchronization

/// Whether this instance owns the flash sale (holds the `flashsale-owner` lease) and in
/// which epoch; the flash sale's rings live only at the owner.
///
/// A standby answers the owner's calls UNAVAILABLE with `retry-after-ms` (or forwards
/// them, when a ``FlashSaleForwarding`` is set): never a false SOLD_OUT or NOT_FOUND from
/// an empty registry.
final class FlashSaleOwnership: Sendable {
    enum Role: Sendable, Equatable {
        /// The rings are here; writes are fenced with this epoch.
        case owner(epoch: Int64)
        /// Another instance owns it (its lease, if known).
        case standby(ServiceLease.State?)
    }

    /// The lease this instance takes or waits for.
    let lease: ServiceLease
    /// How a standby reaches the owner; nil: it answers UNAVAILABLE instead.
    let replicas: (any ReplicaTransports)?
    private let current = Mutex<Role>(.standby(nil))

    init(lease: ServiceLease, replicas: (any ReplicaTransports)?) {
        self.lease = lease
        self.replicas = replicas
    }

    /// Where a call this instance cannot serve goes: nil when this instance owns the
    /// flash sale (serve it here); else the owner, found through the lease.
    ///
    /// - Throws: UNAVAILABLE with `retry-after-ms` when the owner is unknown or
    ///   unreachable from here, or the call was already forwarded once.
    func ownerToForwardTo(_ context: ServerContext) throws(RPCError) -> RPCClient? {
        switch role {
        case .owner:
            return nil
        case .standby(let state):
            guard let state, !state.address.isEmpty, !ReplicaForwarding.wasForwarded(context),
                let transport = replicas?.transport(to: state.address)
            else { throw unavailable() }
            return RPCClient(transport: transport)
        }
    }

    var role: Role { current.withLock { $0 } }

    func set(_ role: Role) {
        current.withLock { $0 = role }
    }

    /// How long a caller should wait before trying again while no instance serves: about
    /// one renewal period, when a standby may have taken over.
    var retryAfterMs: Int64 { max(100, lease.ttlMs / 3) }

    /// The epoch to fence writes with, or UNAVAILABLE with `retry-after-ms` on a standby.
    func ownerEpoch() throws(RPCError) -> Int64 {
        switch role {
        case .owner(let epoch): return epoch
        case .standby: throw unavailable()
        }
    }

    /// Runs a fenced write; a lease lost meanwhile is UNAVAILABLE, as on a standby.
    func fenced<T>(_ write: () async throws -> T) async throws -> T {
        do {
            return try await write()
        } catch is ServiceLeaseError {
            throw unavailable()
        }
    }

    /// Runs a call forwarded to the owner. An owner that cannot be reached (it
    /// died, and the lease has not lapsed yet) is UNAVAILABLE with
    /// `retry-after-ms`, as on a standby with no owner, so that callers wait
    /// for the takeover rather than retry at once.
    func forwarded<T>(_ call: () async throws -> T) async throws -> T {
        do {
            return try await call()
        } catch let error as RPCError where error.code == .unavailable && error.metadata[Metadata.retryAfterKey] == nil {
            throw unavailable()
        }
    }

    /// The error of a call this instance cannot serve now.
    func unavailable() -> RPCError {
        RPCError(
            .unavailable, "the flash sale is changing owner; try again shortly",
            metadata: [Metadata.retryAfterKey: String(retryAfterMs)])
    }
}
