/// The password hashing queue at one moment, for metrics and tests.
public struct HashingQueueDepth: Hashable, Sendable, CustomStringConvertible {
    /// Login-class jobs waiting for a thread.
    public var login: Int
    /// Register-class jobs waiting for a thread.
    public var register: Int
    /// Jobs running on the hashing threads.
    public var running: Int

    public init(login: Int, register: Int, running: Int) {
        self.login = login
        self.register = register
        self.running = running
    }

    /// Jobs waiting, both classes together.
    public var waiting: Int { login + register }

    public var description: String {
        "login \(login), register \(register) waiting; \(running) running"
    }
}

/// The class of a password hashing job: the queue serves every waiting Login
/// job before any Register job (first in first out within a class).
///
/// A customer signing in is the one kept waiting by a slow queue, and the one
/// the shop loses at the worst moment; a sign-up can wait, or be told to
/// retry. A Register flood therefore delays a Login by the hashes already
/// running at most, never by the queue.
enum HashingPriority: Sendable {
    /// Login's verification (and a decoy's), and the rehash of a password
    /// that just proved itself.
    case login
    /// A new account's hash: Register, CreateAdmin and the startup admin.
    case register
}

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
