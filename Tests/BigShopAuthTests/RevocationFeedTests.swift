import BigRPC
import BigShopAuthAPI
import BigShopServiceKit
import BigShopTestSupport
import Foundation
import Testing

@testable import BigShopAuth

/// `SessionVerifier/FollowRevocations`: what a gateway's principal cache
/// relies on. A real Auth on SQLite, followed over its generated client.
@Suite(.timeLimit(.minutes(1)))
struct RevocationFeedTests {
    @Test("a follower hears it follows, then each Logout's session, and Logout waits for its acknowledgement")
    func logoutWaitsForTheAcknowledgement() async throws {
        try await withAuth { harness in
            let session = try await harness.customerSession()
            let sessionID = SessionToken.hash(of: session.token)
            let heard = try await harness.verifier.followRevocations { acks, revocations in
                var iterator = revocations.makeAsyncIterator()
                let first = try #require(try await iterator.next())
                #expect(first.sequence == 0)
                // SQLite: this Auth sees every revocation; PostgreSQL: other
                // replicas may revoke sessions it never hears of.
                #expect(first.complete == !TestPostgres.isSelectedForServices)
                try await acks.write(.init(sequence: 0))
                async let logout: Void = harness.logout(session.token)
                let revocation = try #require(try await iterator.next())
                // Not acknowledged yet: the Logout is still waiting.
                try await Task.sleep(for: .milliseconds(50))
                try await acks.write(.init(sequence: revocation.sequence))
                try await logout
                return revocation
            }
            #expect(heard.sequence == 1)
            #expect(heard.sessionIds == [sessionID])
            let error = await #expect(throws: RPCError.self) { try await harness.whoAmI(session.token) }
            #expect(error?.code == .unauthenticated)
        }
    }

    @Test("a follower that does not acknowledge is cut off, and the Logout still answers")
    func aSilentFollowerIsCutOff() async throws {
        try await withAuth { harness in
            let session = try await harness.customerSession()
            let start = ContinuousClock.now
            let ended = try await harness.verifier.followRevocations { _, revocations in
                var iterator = revocations.makeAsyncIterator()
                _ = try await iterator.next()
                try await harness.logout(session.token)
                do {
                    while try await iterator.next() != nil {}
                    return StatusCode.ok
                } catch let error as RPCError {
                    return error.code
                }
            }
            #expect(ended == .unavailable)
            #expect(ContinuousClock.now - start >= .seconds(1))
            let error = await #expect(throws: RPCError.self) { try await harness.whoAmI(session.token) }
            #expect(error?.code == .unauthenticated)
        }
    }
}
