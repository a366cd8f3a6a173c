public import BigShopServiceKit
import Synchronization

/// The principals of recently verified session tokens, so that the gateway
/// asks Auth about a token once rather than on every call (issue 15).
///
/// Trusted only while the gateway follows Auth's revocations
/// (``RevocationFollower``): every Logout is pushed here and applied before
/// Auth answers it. While the feed is down (not yet connected, broken, or
/// from an Auth that does not see every revocation: PostgreSQL replicas)
/// nothing is cached and every call asks Auth; each time the feed comes up
/// the cache starts empty.
///
/// An entry lives at most ``ttlMs`` of shop time, and never past its
/// session's expiry. At most ``capacity`` entries are kept: when full,
/// expired entries are dropped, and if none are, the cache starts over
/// empty (a few more questions to Auth, never a wrong answer).
public final class PrincipalCache: Sendable {
    /// Whether the revocations feed is followed: the cache's state machine.
    enum Feed: Equatable {
        /// Not following: lookups miss, nothing is stored.
        case down
        /// Following: every revocation since the cache was emptied arrives.
        case following
    }

    private struct Entry {
        var principal: Principal
        var validUntilMs: Int64
    }

    private struct State {
        var feed = Feed.down
        /// Keyed by the token itself: the gateway holds tokens in memory
        /// anyway (every call carries one), and needs no hash to look up.
        var entries: [String: Entry] = [:]
        /// Session id → token of its entry, to apply revocations.
        var tokens: [String: String] = [:]
        /// Bumped by every revocation and change of feed; see ``principal(for:verify:)``.
        var generation: UInt64 = 0

        mutating func forgetEverything() {
            entries.removeAll()
            tokens.removeAll()
            generation &+= 1
        }
    }

    /// The longest an entry is trusted, in milliseconds of shop time.
    public let ttlMs: Int64
    /// The most entries kept.
    public let capacity: Int
    private let nowMs: @Sendable () -> Int64
    private let state = Mutex(State())

    /// - Parameters:
    ///   - nowMs: the shop's clock (sessions expire by it).
    public init(ttlMs: Int64 = 10_000, capacity: Int = 100_000, nowMs: @escaping @Sendable () -> Int64) {
        self.ttlMs = ttlMs
        self.capacity = capacity
        self.nowMs = nowMs
    }

    /// The principal of `token`: from the cache when it is trusted and
    /// holds it, else from `verify` (Auth), whose answer is kept unless a
    /// revocation or a change of feed happened while it was asked.
    ///
    /// - Parameter verify: the principal and its session's expiry (shop ms),
    ///   or nil for a token Auth refuses.
    public func principal(
        for token: String,
        verify: (String) async throws -> (principal: Principal, sessionExpiresAtMs: Int64)?
    ) async throws -> Principal? {
        let now = nowMs()
        let lookup: Lookup = state.withLock { state in
            guard state.feed == .following else { return .untrusted }
            guard let entry = state.entries[token] else { return .miss(state.generation) }
            guard now < entry.validUntilMs else {
                state.entries[token] = nil
                if let session = entry.principal.sessionID { state.tokens[session] = nil }
                return .miss(state.generation)
            }
            return .hit(entry.principal)
        }
        switch lookup {
        case .hit(let principal):
            return principal
        case .untrusted:
            return try await verify(token)?.principal
        case .miss(let generation):
            guard let verified = try await verify(token) else { return nil }
            if let session = verified.principal.sessionID {
                let validUntilMs = min(now + ttlMs, verified.sessionExpiresAtMs)
                store(verified.principal, session: session, token: token, validUntilMs: validUntilMs, ifGeneration: generation)
            }
            return verified.principal
        }
    }

    private enum Lookup {
        case hit(Principal)
        /// Not cached; the generation before Auth is asked.
        case miss(UInt64)
        case untrusted
    }

    private func store(_ principal: Principal, session: String, token: String, validUntilMs: Int64, ifGeneration generation: UInt64) {
        state.withLock { state in
            // A revocation or a change of feed since Auth was asked: its
            // answer may be stale, so it is not kept.
            guard state.feed == .following, state.generation == generation else { return }
            if state.entries.count >= capacity, state.entries[token] == nil {
                let now = nowMs()
                state.entries = state.entries.filter { now < $0.value.validUntilMs }
                let kept = state.entries
                state.tokens = state.tokens.filter { kept[$0.value] != nil }
                if state.entries.count >= capacity { state.forgetEverything() }
            }
            state.entries[token] = Entry(principal: principal, validUntilMs: validUntilMs)
            state.tokens[session] = token
        }
    }

    /// Forgets the sessions `sessionIDs` (revoked).
    func revoke(_ sessionIDs: [String]) {
        state.withLock { state in
            state.generation &+= 1
            for session in sessionIDs {
                guard let token = state.tokens.removeValue(forKey: session) else { continue }
                state.entries[token] = nil
            }
        }
    }

    /// The feed is followed from now on: the cache starts empty and is trusted.
    func following() {
        state.withLock { state in
            state.forgetEverything()
            state.feed = .following
        }
    }

    /// The feed is down: the cache is emptied and not trusted until ``following()``.
    func down() {
        state.withLock { state in
            state.forgetEverything()
            state.feed = .down
        }
    }

    /// Whether the cache is trusted now (the feed is followed).
    public var isFollowing: Bool { state.withLock { $0.feed == .following } }

    /// How many principals are cached.
    public var count: Int { state.withLock { $0.entries.count } }
}
