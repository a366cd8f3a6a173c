public import BigShopServiceKit
import Foundation
public import Logging
public import ServiceLifecycle

/// The Auth service, assembled: both providers over one database
/// (`<data>/auth.sqlite`), one password hasher and one session cache.
///
/// ```swift
/// let auth = try await AuthModule.open(storage: .sqlite(directory: "./data"), settings: settings, logger: logger)
/// if let admin = AdminBootstrap.fromEnvironment() {
///     _ = try await auth.ensureAdmin(email: admin.email, password: admin.password)
/// }
/// // Public port, behind the gateway:  auth.authService
/// // In process, for the gateway:      auth.sessionVerifier
/// try await auth.run()  // in a ServiceGroup, before the servers
/// ```
///
/// The providers share the session cache, so a Logout through
/// ``authService`` is seen at once by ``sessionVerifier``, and the feed of
/// revocations that ``sessionVerifier`` pushes to the gateways; build them
/// only here.
public final class AuthModule: Service, Sendable {
    /// `bigshop.auth.v1.AuthService`, for the public server.
    public let authService: AuthServiceProvider
    /// `bigshop.auth.v1.SessionVerifier`, for the gateway (internal).
    public let sessionVerifier: SessionVerifierProvider

    let store: AuthStore
    let hasher: PasswordHasher
    private let logger: Logger

    private init(
        store: AuthStore, hasher: PasswordHasher, clock: any ShopClock, settings: AuthSettings, revocations: RevocationFeed,
        logger: Logger
    ) {
        let sessions = SessionCache(ttlMs: settings.sessionCacheTTL.wholeMillisecondsRoundedUp)
        self.store = store
        self.hasher = hasher
        self.logger = logger
        self.authService = AuthServiceProvider(
            store: store, hasher: hasher, sessions: sessions, revocations: revocations, clock: clock, settings: settings,
            logger: logger
        )
        self.sessionVerifier = SessionVerifierProvider(store: store, sessions: sessions, revocations: revocations, clock: clock)
    }

    /// Opens the Auth database in `storage` (creating the directory,
    /// the file or schema and the tables as needed, migrating an older schema), starts
    /// the password hashing threads, and drops sessions that have expired or
    /// were revoked.
    ///
    /// - Parameters:
    ///   - clock: the time of sessions; tests pass a `ManualClock`.
    /// - Throws: ``AuthSetupError/invalidSettings(_:)``, or the database's errors.
    public static func open(
        storage: ShopStorage,
        clock: any ShopClock = SystemClock(),
        settings: AuthSettings = AuthSettings(),
        logger: Logger = Logger(label: "bigshop.auth")
    ) async throws -> AuthModule {
        try settings.validate()
        if settings.passwordIterations < AuthSettings().passwordIterations {
            logger.warning(
                "password hashing is weaker than recommended: fine for tests, not for a launch",
                metadata: [
                    "iterations": "\(settings.passwordIterations)"
                ])
        }
        if let directory = storage.directory {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        let store = try await AuthStore.open(storage: storage)
        let hasher: PasswordHasher
        do {
            hasher = try PasswordHasher(
                iterations: settings.passwordIterations,
                threadCount: settings.hasherThreads,
                queueLimits: settings.queueLimits
            )
            let pruned = try await store.pruneSessions(nowMs: clock.nowMs())
            logger.info("auth ready", metadata: ["dropped-sessions": "\(pruned)"])
        } catch {
            await store.close()
            throw error
        }
        // On SQLite this process is the shop's only Auth, so every Logout
        // passes here; on PostgreSQL other replicas may revoke sessions this
        // one never hears of, and gateways must not cache principals.
        let revocations = RevocationFeed(complete: storage.directory != nil)
        return AuthModule(store: store, hasher: hasher, clock: clock, settings: settings, revocations: revocations, logger: logger)
    }

    /// Creates the admin `email` if no account has that email; for
    /// `BIGSHOP_ADMIN_EMAIL` and `BIGSHOP_ADMIN_PASSWORD` at start. Idempotent.
    ///
    /// An existing admin is left as it is: its password is not reset to
    /// `password`. An existing *customer* with that email is not promoted,
    /// since whoever registered it knows its password: that is
    /// ``AuthSetupError/adminEmailBelongsToCustomer(email:)``. The password is
    /// never logged.
    ///
    /// - Throws: ``AuthSetupError/invalidAdminAccount(_:)`` if the fields break
    ///   the account rules (those of Register), ``AuthSetupError/adminEmailBelongsToCustomer(email:)``,
    ///   or the database's errors.
    public func ensureAdmin(
        email: String,
        password: String,
        name: String = "Administrator"
    ) async throws -> EnsureAdminOutcome {
        let account: NewAccount
        do {
            account = try NewAccount(email: email, password: password, name: name)
        } catch {
            throw AuthSetupError.invalidAdminAccount(error.message)
        }
        // Loops only if a Register takes the email between the two steps;
        // accounts are never deleted, so the second look finds it.
        while true {
            if let existing = try await store.user(email: account.email) {
                guard existing.role == .admin else {
                    logger.error(
                        "the startup admin's email belongs to a customer; not promoted",
                        metadata: [
                            "user-id": "\(existing.id)"
                        ])
                    throw AuthSetupError.adminEmailBelongsToCustomer(email: account.email)
                }
                logger.info("startup admin already present", metadata: ["user-id": "\(existing.id)"])
                return .alreadyPresent(userID: existing.id)
            }
            // Register class, but never refused for load: the start must not
            // fail because the queue is busy (it is empty at start anyway).
            if let user = try await authService.createAccount(
                account, role: .admin, admission: .unbounded, logger: logger
            ) {
                logger.notice("startup admin created", metadata: ["user-id": "\(user.id)"])
                return .created(userID: user.id)
            }
        }
    }

    /// The password hashing queue now: calls waiting by class, and calls
    /// hashing. Above zero waiting, Logins queue up (see ``AuthSettings/passwordQueueLimit``).
    public var hashingQueueDepth: HashingQueueDepth {
        hasher.depth
    }

    /// Waits for a graceful shutdown, then stops the hashing threads (after
    /// queued work) and closes the database.
    public func run() async {
        try? await gracefulShutdown()
        await close()
    }

    /// Stops the hashing threads (after queued work) and closes the database.
    func close() async {
        hasher.close()
        await store.close()
    }
}
