import BigShopAuthAPI
import Synchronization

/// Recently verified sessions, keyed by token hash, so that the gateway's
/// check on every authenticated call rarely reaches the database.
///
/// An entry lives at most `ttlMs` of shop time, and never past its session's
/// expiry. Logout in this process removes the entry at once (see
/// ``invalidate(_:)``), so revocation is immediate here; a session revoked by
/// another process sharing the database (not a deployment BigShop has today)
/// would stay usable for at most `ttlMs`. A TTL of zero turns the cache off.
///
/// At most `capacity` entries are kept: when full, expired entries are
/// dropped, and if none are, the cache starts over empty (a few extra
/// database reads, never a wrong answer).
final class SessionCache: Sendable {
    private struct Entry {
        var principal: Bigshop_Auth_V1_Principal
        var validUntilMs: Int64
    }

    private struct State {
        var entries: [String: Entry] = [:]
        /// Bumped by every invalidation; see ``generation``.
        var generation: UInt64 = 0
    }

    let ttlMs: Int64
    let capacity: Int
    private let state = Mutex(State())

    init(ttlMs: Int64, capacity: Int = 10_000) {
        self.ttlMs = ttlMs
        self.capacity = capacity
    }

    /// The cached principal of `tokenHash`, if still valid at `nowMs`.
    func lookup(_ tokenHash: String, nowMs: Int64) -> Bigshop_Auth_V1_Principal? {
        guard ttlMs > 0 else { return nil }
        return state.withLock { state in
            guard let entry = state.entries[tokenHash] else { return nil }
            guard nowMs < entry.validUntilMs else {
                state.entries[tokenHash] = nil
                return nil
            }
            return entry.principal
        }
    }

    /// Read before a database lookup and passed to ``insert(_:for:nowMs:ifGeneration:)``:
    /// an invalidation in between (a Logout racing the lookup) keeps the
    /// possibly stale answer out of the cache.
    var generation: UInt64 {
        state.withLock { $0.generation }
    }

    /// Caches `principal`, unless an invalidation happened since `generation` was read.
    func insert(
        _ principal: Bigshop_Auth_V1_Principal,
        for tokenHash: String,
        nowMs: Int64,
        ifGeneration generation: UInt64
    ) {
        guard ttlMs > 0 else { return }
        let validUntilMs = min(nowMs + ttlMs, principal.sessionExpiresAtMs)
        state.withLock { state in
            guard state.generation == generation else { return }
            if state.entries.count >= capacity, state.entries[tokenHash] == nil {
                state.entries = state.entries.filter { nowMs < $0.value.validUntilMs }
                if state.entries.count >= capacity { state.entries.removeAll() }
            }
            state.entries[tokenHash] = Entry(principal: principal, validUntilMs: validUntilMs)
        }
    }

    /// Forgets `tokenHash` (its session was revoked).
    func invalidate(_ tokenHash: String) {
        state.withLock { state in
            state.generation &+= 1
            state.entries[tokenHash] = nil
        }
    }
}
