/// The Auth service's settings. Every default is what a launch would use.
public struct AuthSettings: Sendable {
    /// How long a session lasts after Login. Default 24 hours.
    public var sessionTTL: Duration
    /// PBKDF2-HMAC-SHA256 iterations of new password hashes (OWASP's 2023
    /// advice: 600,000). Raising it rehashes each password at its next
    /// successful login; existing hashes keep working either way. Tests use
    /// about 1,000. At most 20,000,000.
    public var passwordIterations: Int
    /// Threads that hash passwords, which is also how many hashes run at once.
    /// Default 2: about 6 logins a second at the default cost, leaving the
    /// rest of a small machine to the shop.
    public var hasherThreads: Int
    /// The per-(address, email) Login limit; ``DisabledLoginThrottle`` for
    /// `--rate-limit off`. Default ``TokenBucketLoginThrottle``: 5 in a row,
    /// then 5 a minute.
    public var throttle: any LoginThrottle
    /// How long a verified session may be answered from memory; zero to
    /// always read the database. Logout in this process is immediate either
    /// way; this bounds only revocations made by another process. Default 10 s.
    public var sessionCacheTTL: Duration
    /// Password hashing calls that may wait for a thread, Login and Register
    /// together; past it new ones get RESOURCE_EXHAUSTED (`HASHING_QUEUE_FULL`)
    /// at once. Default 32: about 5 s of work at the default cost on 2
    /// threads, inside a client's usual 10 s deadline, so a queued Login is
    /// not abandoned before its turn. Raise it with ``hasherThreads``.
    public var passwordQueueLimit: Int
    /// Of those, how many may be Register-class (Register, CreateAdmin).
    /// Default 8, so that sign-ups never take the places Logins need. Logins
    /// are served first either way.
    public var passwordRegisterQueueLimit: Int

    /// Settings with the given values; each defaults to the launch value.
    public init(
        sessionTTL: Duration = .seconds(24 * 3600),
        passwordIterations: Int = 600_000,
        hasherThreads: Int = 2,
        throttle: any LoginThrottle = TokenBucketLoginThrottle(),
        sessionCacheTTL: Duration = .seconds(10),
        passwordQueueLimit: Int = 32,
        passwordRegisterQueueLimit: Int = 8
    ) {
        self.sessionTTL = sessionTTL
        self.passwordIterations = passwordIterations
        self.hasherThreads = hasherThreads
        self.throttle = throttle
        self.sessionCacheTTL = sessionCacheTTL
        self.passwordQueueLimit = passwordQueueLimit
        self.passwordRegisterQueueLimit = passwordRegisterQueueLimit
    }

    /// The hashing queue's bounds.
    var queueLimits: HashingQueueLimits {
        HashingQueueLimits(queued: passwordQueueLimit, registerQueued: passwordRegisterQueueLimit)
    }

    /// Throws ``AuthSetupError/invalidSettings(_:)`` for a value out of range.
    func validate() throws(AuthSetupError) {
        guard sessionTTL >= .milliseconds(1) else {
            throw .invalidSettings("sessionTTL must be at least 1 ms")
        }
        guard (1...PasswordHash.maxIterations).contains(passwordIterations) else {
            throw .invalidSettings("passwordIterations must be between 1 and \(PasswordHash.maxIterations)")
        }
        guard (1...64).contains(hasherThreads) else {
            throw .invalidSettings("hasherThreads must be between 1 and 64")
        }
        guard sessionCacheTTL >= .zero else {
            throw .invalidSettings("sessionCacheTTL must not be negative")
        }
        guard (1...100_000).contains(passwordQueueLimit) else {
            throw .invalidSettings("passwordQueueLimit must be between 1 and 100000")
        }
        guard (1...passwordQueueLimit).contains(passwordRegisterQueueLimit) else {
            throw .invalidSettings("passwordRegisterQueueLimit must be between 1 and passwordQueueLimit")
        }
    }
}
