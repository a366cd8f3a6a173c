import BigShopAuthAPI
import Synchronization

/// The sessions revoked by this process, pushed to every gateway that
/// follows them (`SessionVerifier/FollowRevocations`), each of which
/// acknowledges what it applied.
///
/// ``revoke(_:)`` (a Logout) returns once every follower acknowledged the
/// revocation, so that no gateway answers the session's next call from its
/// cache. A follower that has not acknowledged within ``ackTimeout`` is cut
/// off: its stream ends (UNAVAILABLE), and a gateway whose stream ended stops
/// trusting its cache and asks Auth on every call until it follows again.
final class RevocationFeed: Sendable {
    /// One gateway's stream.
    private struct Follower {
        var continuation: AsyncStream<Bigshop_Auth_V1_Revocations>.Continuation
        /// The sequence of the last message sent.
        var sent: UInt64 = 0
        /// The sequence of the last message the gateway said it applied.
        var acknowledged: UInt64 = 0
    }

    private struct State {
        var followers: [UInt64: Follower] = [:]
        var nextFollower: UInt64 = 0
    }

    /// Whether every revocation of the shop goes through this process: the
    /// `complete` of every follower's first message.
    let complete: Bool
    /// How long a revocation waits for each follower's acknowledgement.
    let ackTimeout: Duration
    private let state = Mutex(State())

    init(complete: Bool, ackTimeout: Duration = .seconds(1)) {
        self.complete = complete
        self.ackTimeout = ackTimeout
    }

    /// Starts a follower: its messages, the first (sequence 0) already in
    /// them, and its id for ``acknowledge(_:sequence:)`` and ``unfollow(_:)``.
    func follow() -> (id: UInt64, revocations: AsyncStream<Bigshop_Auth_V1_Revocations>) {
        let (stream, continuation) = AsyncStream<Bigshop_Auth_V1_Revocations>.makeStream()
        let id = state.withLock { state in
            defer { state.nextFollower += 1 }
            state.followers[state.nextFollower] = Follower(continuation: continuation)
            return state.nextFollower
        }
        continuation.yield(.init(sequence: 0, sessionIds: [], complete: complete))
        return (id, stream)
    }

    /// Records that follower `id` applied every message up to `sequence`.
    func acknowledge(_ id: UInt64, sequence: UInt64) {
        state.withLock { state in
            guard let follower = state.followers[id], sequence <= follower.sent else { return }
            state.followers[id]?.acknowledged = max(follower.acknowledged, sequence)
        }
    }

    /// Forgets follower `id` (its call ended).
    func unfollow(_ id: UInt64) {
        state.withLock { state in
            state.followers[id]?.continuation.finish()
            state.followers[id] = nil
        }
    }

    /// Sends `sessionID` to every follower and waits until each has
    /// acknowledged it, cutting off those that did not within ``ackTimeout``.
    func revoke(_ sessionID: String) async {
        let pending: [UInt64: UInt64] = state.withLock { state in
            var pending: [UInt64: UInt64] = [:]
            for (id, follower) in state.followers {
                let sequence = follower.sent + 1
                state.followers[id]?.sent = sequence
                follower.continuation.yield(.init(sequence: sequence, sessionIds: [sessionID], complete: complete))
                pending[id] = sequence
            }
            return pending
        }
        guard !pending.isEmpty else { return }
        // In a task of its own, so that a Logout whose caller went away still
        // waits for, or cuts off, every follower before it ends.
        await Task { await settle(pending) }.value
    }

    /// Waits until every follower in `pending` acknowledged its sequence,
    /// or ``ackTimeout`` passed, then cuts off those that did not. Logouts
    /// are rare and a follower answers within a millisecond or two on a
    /// healthy connection, so polling keeps this simple; bounded by the
    /// deadline.
    private func settle(_ pending: [UInt64: UInt64]) async {
        let deadline = ContinuousClock.now + ackTimeout
        while ContinuousClock.now < deadline, !allAcknowledged(pending) {
            try? await Task.sleep(for: .milliseconds(1))
        }
        state.withLock { state in
            for (id, sequence) in pending {
                guard let follower = state.followers[id], follower.acknowledged < sequence else { continue }
                follower.continuation.finish()
            }
        }
    }

    private func allAcknowledged(_ pending: [UInt64: UInt64]) -> Bool {
        state.withLock { state in
            pending.allSatisfy { id, sequence in (state.followers[id]?.acknowledged ?? .max) >= sequence }
        }
    }
}
