/// A `bigshop serve` process a test kills, starts again on the same address and data, and
/// pauses: a loopback ``ServerProcess`` or a ``ClusterHost``'s.
protocol RestartableServer: Sendable {
    /// The running process's id.
    var processIdentifier: Int32? { get }
    /// Starts it and waits until it serves.
    func start() async throws
    /// SIGKILL, and waits until it is gone.
    func kill9() async
}

extension ServerProcess: RestartableServer {}
extension ClusterHost: RestartableServer {}
