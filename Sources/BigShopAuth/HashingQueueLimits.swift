/// How many jobs may wait for a password hashing thread (jobs running are
/// not counted). Past these, new work is refused at once with
/// RESOURCE_EXHAUSTED, reason `HASHING_QUEUE_FULL`, and `retry-after-ms`.
struct HashingQueueLimits: Hashable, Sendable {
    /// Jobs waiting, both classes together.
    var queued: Int
    /// Register-class jobs waiting: at most this many of ``queued``, so that
    /// sign-ups can never take the places Logins need.
    var registerQueued: Int

    init(queued: Int = 32, registerQueued: Int = 8) {
        self.queued = queued
        self.registerQueued = registerQueued
    }
}
