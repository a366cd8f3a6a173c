/// This process, as the other replicas of a service see it: a unique id per start, and
/// where it serves its internal API.
public struct ServiceInstance: Sendable, Hashable {
    /// Unique per process start (a lease names its holder with it).
    public var id: String
    /// `host:port` of the internal API, for the others to forward to; empty when the
    /// process has none (one process, or tests).
    public var internalAddress: String

    /// An instance with a fresh id.
    public init(id: String = ShopID.make("ins"), internalAddress: String = "") {
        self.id = id
        self.internalAddress = internalAddress
    }
}
