public import BigRPC
public import BigShopAuthAPI
import BigShopServiceKit
import Logging

/// `bigshop.auth.v1.AuthService`: accounts and sessions, with the contract in
/// `proto/bigshop/auth/v1/auth.proto`. Built by ``AuthModule``.
///
/// The gateway checks each method's role first; this provider still checks
/// what it relies on (a principal for Logout and WhoAmI, the admin role for
/// CreateAdmin). Field rules: ``NewAccount``; login throttling:
/// ``LoginThrottle``; the hashing queue: ``HashingPriority``.
///
/// Never logs a password, an email or a token (nor a token's hash); logs
/// carry the call's `request-id`. Status messages never quote the input.
public struct AuthServiceProvider: Bigshop_Auth_V1_AuthService.ServiceProtocol {
    private let store: AuthStore
    private let hasher: PasswordHasher
    private let sessions: SessionCache
    private let revocations: RevocationFeed
    private let clock: any ShopClock
    private let sessionTTLMs: Int64
    private let throttle: any LoginThrottle
    private let logger: Logger

    init(
        store: AuthStore,
        hasher: PasswordHasher,
        sessions: SessionCache,
        revocations: RevocationFeed,
        clock: any ShopClock,
        settings: AuthSettings,
        logger: Logger
    ) {
        self.store = store
        self.hasher = hasher
        self.sessions = sessions
        self.revocations = revocations
        self.clock = clock
        self.sessionTTLMs = settings.sessionTTL.wholeMillisecondsRoundedUp
        self.throttle = settings.throttle
        self.logger = logger
    }

    /// Creates a customer account.
    public func register(
        request: Bigshop_Auth_V1_RegisterRequest,
        context: ServerContext
    ) async throws -> Bigshop_Auth_V1_User {
        let account = try NewAccount(request)
        let user = try await hashing {
            try await createAccount(account, role: .customer, logger: context.logger(self.logger))
        }
        guard let user else { throw Self.emailTaken }
        return user.proto
    }

    /// Checks the credentials and opens a session.
    public func login(
        request: Bigshop_Auth_V1_LoginRequest,
        context: ServerContext
    ) async throws -> Bigshop_Auth_V1_Session {
        let logger = context.logger(self.logger)
        // Too long to be any account's email: nothing to look up or hash.
        guard let email = NewAccount.normalizeEmail(request.email) else { throw Self.wrongCredentials }
        if let wait = throttle.admit(address: PeerAddress.limitKey(of: context.peer), email: email) {
            logger.notice("login throttled")
            throw Self.throttled(retryAfter: wait)
        }
        // Neither can match any account, whatever the email: no need to hash.
        guard !email.isEmpty, request.password.utf8.count <= NewAccount.maxPasswordBytes else {
            throw Self.wrongCredentials
        }
        return try await hashing {
            guard let user = try await findUser(normalized: email, raw: request.email) else {
                try await hasher.verifyDecoy(request.password)
                logger.info("login refused", metadata: ["reason": "unknown email"])
                throw Self.wrongCredentials
            }
            return try await openSession(user: user, password: request.password, logger: logger)
        }
    }

    /// The account of a Login's email: its normalized form, else the form an
    /// earlier version stored (see ``NewAccount/legacyNormalizeEmail(_:)``).
    private func findUser(normalized email: String, raw: String) async throws -> UserRecord? {
        if let user = try await store.user(email: email) { return user }
        let legacy = NewAccount.legacyNormalizeEmail(raw)
        // Compared as stored (bytes): Swift's == would call canonically
        // equivalent forms equal, which is exactly the case looked for.
        guard !legacy.utf8.elementsEqual(email.utf8) else { return nil }
        return try await store.user(email: legacy)
    }

    /// The rest of a Login once the account is known: the password, then the
    /// session.
    private func openSession(user: UserRecord, password: String, logger: Logger) async throws -> Bigshop_Auth_V1_Session {
        if user.passwordHash == UserRecord.noPassword {
            // Made by CreateCustomers: it signs in only through its session.
            try await hasher.verifyDecoy(password)
            logger.info("login refused", metadata: ["user-id": "\(user.id)", "reason": "account has no password"])
            throw Self.wrongCredentials
        }
        guard let stored = PasswordHash(encoded: user.passwordHash) else {
            try await hasher.verifyDecoy(password)
            logger.error("login refused: the stored password hash is unreadable", metadata: ["user-id": "\(user.id)"])
            throw Self.wrongCredentials
        }
        guard try await hasher.verify(password, against: stored) else {
            logger.info("login refused", metadata: ["user-id": "\(user.id)", "reason": "wrong password"])
            throw Self.wrongCredentials
        }

        var upgrade: AuthStore.PasswordUpgrade?
        if hasher.needsRehash(stored) {
            do {
                let stronger = try await hasher.hash(password, priority: .login)
                upgrade = AuthStore.PasswordUpgrade(old: user.passwordHash, new: stronger.encoded)
            } catch PasswordHasherError.queueFull {
                // The password is proven: sign in now, upgrade at a calmer login.
                logger.notice("password rehash deferred: hashing queue full", metadata: ["user-id": "\(user.id)"])
            }
        }
        let (token, tokenHash) = SessionToken.generate()
        let nowMs = clock.nowMs()
        let expiresAtMs = nowMs + sessionTTLMs
        try await store.openSession(
            tokenHash: tokenHash, userID: user.id, createdAtMs: nowMs, expiresAtMs: expiresAtMs, upgrade: upgrade
        )
        logger.info(
            "session opened",
            metadata: [
                "user-id": "\(user.id)", "password-rehashed": "\(upgrade != nil)",
            ])
        return Bigshop_Auth_V1_Session(token: token, expiresAtMs: expiresAtMs, user: user.proto)
    }

    /// Revokes the calling session, and answers once every gateway that
    /// caches principals has dropped it (see ``RevocationFeed``).
    public func logout(
        request: Bigshop_Auth_V1_LogoutRequest,
        context: ServerContext
    ) async throws -> Bigshop_Auth_V1_LogoutResponse {
        let principal = try context.requirePrincipal()
        guard let tokenHash = principal.sessionID, !tokenHash.isEmpty else {
            throw RPCError(.unauthenticated, "a valid session token is required")
        }
        let wasLive = try await store.revokeSession(tokenHash: tokenHash, userID: principal.userID, atMs: clock.nowMs())
        sessions.invalidate(tokenHash)
        await revocations.revoke(tokenHash)
        if wasLive {
            context.logger(self.logger).info("session revoked", metadata: ["user-id": "\(principal.userID)"])
        }
        return Bigshop_Auth_V1_LogoutResponse()
    }

    /// The calling session's account.
    public func whoAmI(
        request: Bigshop_Auth_V1_WhoAmIRequest,
        context: ServerContext
    ) async throws -> Bigshop_Auth_V1_User {
        let principal = try context.requirePrincipal()
        guard let user = try await store.user(id: principal.userID) else {
            throw RPCError(.unauthenticated, "the session's account no longer exists")
        }
        return user.proto
    }

    /// Creates an admin account; the caller must be an admin.
    public func createAdmin(
        request: Bigshop_Auth_V1_RegisterRequest,
        context: ServerContext
    ) async throws -> Bigshop_Auth_V1_User {
        let caller = try context.requirePrincipal()
        guard caller.isAdmin else {
            throw RPCError(.permissionDenied, "only an admin may create an admin")
        }
        let account = try NewAccount(request)
        let logger = context.logger(self.logger)
        let user = try await hashing { try await createAccount(account, role: .admin, logger: logger) }
        guard let user else { throw Self.emailTaken }
        logger.info("admin created by an admin", metadata: ["user-id": "\(user.id)", "by": "\(caller.userID)"])
        return user.proto
    }

    /// Creates customers without a password and opens a session for each,
    /// all or nothing; the caller must be an admin (see ``CustomerBatch``).
    public func createCustomers(
        request: Bigshop_Auth_V1_CreateCustomersRequest,
        context: ServerContext
    ) async throws -> Bigshop_Auth_V1_CreateCustomersResponse {
        let caller = try context.requirePrincipal()
        guard caller.isAdmin else {
            throw RPCError(.permissionDenied, "only an admin may create customers in a batch")
        }
        let batch = try CustomerBatch(request)
        let nowMs = clock.nowMs()
        let expiresAtMs = nowMs + sessionTTLMs
        var rows: [(user: UserRecord, tokenHash: String, expiresAtMs: Int64)] = []
        var response = Bigshop_Auth_V1_CreateCustomersResponse()
        for customer in batch.customers {
            let user = UserRecord(
                id: ShopID.make("usr"), email: customer.email, name: customer.name, role: .customer,
                passwordHash: UserRecord.noPassword, createdAtMs: nowMs
            )
            let (token, tokenHash) = SessionToken.generate()
            rows.append((user, tokenHash, expiresAtMs))
            response.customers.append(.init(userId: user.id, token: token, expiresAtMs: expiresAtMs))
        }
        guard try await store.insert(rows) else {
            throw RPCError(.alreadyExists, "an account with one of these emails already exists; none was created")
        }
        context.logger(logger).info(
            "customers created by an admin", metadata: ["count": "\(rows.count)", "by": "\(caller.userID)"])
        return response
    }

    // MARK: Shared with AuthModule

    /// Creates an account, or returns nil if its email is taken. The hash is
    /// Register-class work (see ``HashingPriority``).
    ///
    /// - Throws: ``PasswordHasherError/queueFull(retryAfter:)`` when the
    ///   hashing queue is full (`admission` `.bounded`), or the database's errors.
    func createAccount(
        _ account: NewAccount,
        role: ShopRole,
        admission: HashingThreadPool.Admission = .bounded,
        logger: Logger
    ) async throws -> UserRecord? {
        // A taken email is the common refusal: answer it without hashing.
        if try await store.emailExists(account.email) { return nil }
        let hash = try await hasher.hash(account.password, priority: .register, admission: admission)
        let user = UserRecord(
            id: ShopID.make("usr"), email: account.email, name: account.name, role: role,
            passwordHash: hash.encoded, createdAtMs: clock.nowMs()
        )
        // Concurrent creations with one email: the UNIQUE constraint picks one.
        guard try await store.insert(user) else { return nil }
        logger.info("account created", metadata: ["user-id": "\(user.id)", "role": "\(role.rawValue)"])
        return user
    }

    // MARK: Errors and logs

    static let emailTaken = RPCError(.alreadyExists, "an account with this email already exists")

    /// The one answer to a wrong email or a wrong password.
    static let wrongCredentials = RPCError(.unauthenticated, "wrong email or password")

    static func throttled(retryAfter wait: Duration) -> RPCError {
        let milliseconds = max(1, wait.wholeMillisecondsRoundedUp)
        return RPCError(
            .resourceExhausted,
            "too many login attempts for this email; retry in \(milliseconds) ms",
            metadata: [
                Metadata.retryAfterKey: String(milliseconds),
                Metadata.reasonKey: AuthRefusalReason.tooManyLoginAttempts,
            ]
        )
    }

    /// The answer when the password hashing queue is full.
    static func hashingQueueFull(retryAfter wait: Duration) -> RPCError {
        let milliseconds = max(1, wait.wholeMillisecondsRoundedUp)
        return RPCError(
            .resourceExhausted,
            "the server is busy checking passwords; retry in \(milliseconds) ms",
            metadata: [
                Metadata.retryAfterKey: String(milliseconds),
                Metadata.reasonKey: AuthRefusalReason.hashingQueueFull,
            ]
        )
    }

    /// Runs `body`, turning the hasher's refusals into statuses: a full queue
    /// is RESOURCE_EXHAUSTED (`HASHING_QUEUE_FULL`, `retry-after-ms`), a
    /// closed hasher (shutting down) UNAVAILABLE.
    private func hashing<Value>(_ body: () async throws -> Value) async throws -> Value {
        do {
            return try await body()
        } catch PasswordHasherError.queueFull(let wait) {
            logger.notice("password hashing queue full", metadata: ["queue": "\(hasher.depth)"])
            throw Self.hashingQueueFull(retryAfter: wait)
        } catch PasswordHasherError.closed {
            throw RPCError(.unavailable, "the server is shutting down; retry on another connection")
        }
    }
}
