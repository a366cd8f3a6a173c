import BigShopAuthAPI
import Testing

@testable import BigShopAuth

@Suite("SessionCache")
struct SessionCacheTests {
    private let principal = Bigshop_Auth_V1_Principal(
        userId: "usr_1", role: .customer, email: "a@b.co", sessionExpiresAtMs: 50_000
    )

    @Test func entriesLiveForTheTTLButNotPastTheSession() {
        let cache = SessionCache(ttlMs: 10_000)
        cache.insert(principal, for: "h", nowMs: 1_000, ifGeneration: cache.generation)
        #expect(cache.lookup("h", nowMs: 10_999) == principal)
        #expect(cache.lookup("h", nowMs: 11_000) == nil)

        cache.insert(principal, for: "h", nowMs: 45_000, ifGeneration: cache.generation)
        #expect(cache.lookup("h", nowMs: 49_999) == principal)
        #expect(cache.lookup("h", nowMs: 50_000) == nil)
    }

    @Test func anInvalidationKeepsARacingLookupOut() {
        let cache = SessionCache(ttlMs: 10_000)
        let generation = cache.generation  // a verifier starts its database read...
        cache.invalidate("h")  // ...a Logout commits and invalidates...
        cache.insert(principal, for: "h", nowMs: 1_000, ifGeneration: generation)  // ...the stale answer arrives.
        #expect(cache.lookup("h", nowMs: 1_000) == nil)
    }

    @Test func invalidateRemovesTheEntry() {
        let cache = SessionCache(ttlMs: 10_000)
        cache.insert(principal, for: "h", nowMs: 1_000, ifGeneration: cache.generation)
        cache.invalidate("h")
        #expect(cache.lookup("h", nowMs: 1_000) == nil)
    }

    @Test func staysWithinItsCapacity() {
        let cache = SessionCache(ttlMs: 10_000, capacity: 3)
        for index in 0..<3 {
            cache.insert(principal, for: "live\(index)", nowMs: 1_000, ifGeneration: cache.generation)
        }
        // Full of live entries: it starts over.
        cache.insert(principal, for: "next", nowMs: 2_000, ifGeneration: cache.generation)
        #expect(cache.lookup("live0", nowMs: 2_000) == nil)
        #expect(cache.lookup("next", nowMs: 2_000) == principal)

        // Expired entries go first.
        cache.insert(principal, for: "late1", nowMs: 11_500, ifGeneration: cache.generation)
        cache.insert(principal, for: "late2", nowMs: 11_500, ifGeneration: cache.generation)
        cache.insert(principal, for: "late3", nowMs: 12_500, ifGeneration: cache.generation)
        #expect(cache.lookup("late1", nowMs: 12_500) == principal)
        #expect(cache.lookup("late3", nowMs: 12_500) == principal)
    }

    @Test func aZeroTTLCachesNothing() {
        let cache = SessionCache(ttlMs: 0)
        cache.insert(principal, for: "h", nowMs: 1_000, ifGeneration: cache.generation)
        #expect(cache.lookup("h", nowMs: 1_000) == nil)
    }
}
