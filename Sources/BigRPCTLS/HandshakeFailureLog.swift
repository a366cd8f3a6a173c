import Logging
import NIOCore
import Synchronization

/// Logs a TLS server's failed handshakes without letting a flood of them
/// (scanners, a misconfigured client fleet) flood the log: the first failure
/// is logged at once (notice), later ones at most once per interval, as the
/// count since the last report with the latest reason. Each failure is also
/// logged at debug.
final class HandshakeFailureLog: Sendable {
    private struct State {
        var unreported = 0
        var lastReport: NIODeadline?
    }

    private let logger: Logger
    private let interval: TimeAmount
    private let state = Mutex(State())

    init(logger: Logger, interval: TimeAmount = .seconds(60)) {
        self.logger = logger
        self.interval = interval
    }

    /// Records one failure: `reason` from `peer`.
    func record(_ reason: String, peer: SocketAddress?) {
        let peer = peer?.description ?? "?"
        logger.debug("TLS handshake failed", metadata: ["peer": "\(peer)", "reason": "\(reason)"])
        let now = NIODeadline.now()
        let count: Int? = state.withLock { state in
            state.unreported += 1
            if let last = state.lastReport, now - last < interval { return nil }
            state.lastReport = now
            defer { state.unreported = 0 }
            return state.unreported
        }
        guard let count else { return }
        logger.notice(
            "TLS handshakes failed",
            metadata: [
                "count": "\(count)", "latest-peer": "\(peer)", "latest-reason": "\(reason)",
            ])
    }
}
