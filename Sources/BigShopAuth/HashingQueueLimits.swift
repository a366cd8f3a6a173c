/// How many jobs may wait for a password hashing thread (jobs running are
/// not counted). Past these, new work is refused at once with
/// RESOURCE_EXHAUSTED, reason `HASHING_QUEUE_FULL`, and `retry-after-ms`.
struct HashingQueueLimits: Hashable, Sendable {
    /// Jobs waiting, both classes together.
    var queued: Int
    /// Register-class jobs waiting: at most this many of ``queued``, so that
    /// sign-ups can never take the places Logins need.
    var registerQueued: Int
    /// The longest a new job may expect to wait for a thread, from the jobs
    /// ahead of it and the average hash time measured on this machine: on a
    /// slow or loaded host ``queued`` jobs can take longer than a client's
    /// deadline, and an answer at once beats one after the client gave up.
    var maxWait: Duration

    init(queued: Int = 32, registerQueued: Int = 8, maxWait: Duration = .seconds(5)) {
        self.queued = queued
        self.registerQueued = registerQueued
        self.maxWait = maxWait
    }
}
