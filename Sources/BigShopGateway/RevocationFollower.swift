import BigRPC
public import BigShopAuthAPI
public import Logging
public import ServiceLifecycle

/// Follows Auth's revocations (`SessionVerifier/FollowRevocations`) for a
/// gateway's ``PrincipalCache``: the cache is trusted from the stream's
/// first message (when Auth says it sees every revocation) until the stream
/// ends, each revocation is applied, then acknowledged; a broken stream is
/// followed again after a short pause, with an empty cache.
///
/// Run it as a `Service`, stopped before Auth (a graceful shutdown ends it).
public struct RevocationFollower: Service {
    private let cache: PrincipalCache
    private let verifier: Bigshop_Auth_V1_SessionVerifier.Client
    private let logger: Logger

    /// The pause before following again, doubled after each failure up to ``maxPause``.
    static let firstPause = Duration.milliseconds(100)
    static let maxPause = Duration.seconds(2)

    public init(cache: PrincipalCache, verifier: Bigshop_Auth_V1_SessionVerifier.Client, logger: Logger) {
        self.cache = cache
        self.verifier = verifier
        self.logger = logger
    }

    /// Follows until a graceful shutdown or cancellation.
    public func run() async {
        await cancelWhenGracefulShutdown {
            var pause = Self.firstPause
            while !Task.isCancelled {
                do {
                    try await follow { pause = Self.firstPause }
                } catch {
                    logger.debug("not following revocations", metadata: ["error": "\(error)"])
                }
                cache.down()
                try? await Task.sleep(for: pause)
                pause = min(pause * 2, Self.maxPause)
            }
        }
    }

    /// One stream, until it ends; `onFollowing` when its first message arrives.
    private func follow(onFollowing: () -> Void) async throws {
        try await verifier.followRevocations { acks, revocations in
            for try await revocation in revocations {
                if revocation.sequence == 0 {
                    onFollowing()
                    if revocation.complete {
                        cache.following()
                    } else {
                        logger.notice("Auth does not see every revocation (replicas): the principal cache stays off")
                    }
                } else {
                    cache.revoke(revocation.sessionIds)
                }
                try await acks.write(.init(sequence: revocation.sequence))
            }
        }
    }
}
