import BigRPC
import BigShopAuthAPI
import BigShopServiceKit
import BigShopTestSupport
import Foundation
import Logging
import Testing

@testable import BigShopAuth

/// Plays the gateway for these tests, and only that part of it the Auth
/// service relies on: turns `authorization: Bearer <token>` into the
/// caller's principal through the SessionVerifier (called in process over
/// its generated client), and sets PrincipalKey (with the session id). It
/// checks no roles, so the providers' own checks are what the tests see.
struct TestGateway: ServerInterceptor {
    let verifier: Bigshop_Auth_V1_SessionVerifier.Client

    func intercept(context: ServerContext, next: @Sendable (ServerContext) async throws -> Void) async throws {
        var context = context
        if let header = context.metadata[Metadata.authorizationKey], header.hasPrefix("Bearer ") {
            let token = String(header.dropFirst("Bearer ".count))
            do {
                let principal = try await verifier.authenticate(Bigshop_Auth_V1_AuthenticateRequest(token: token))
                context.values[PrincipalKey.self] = Principal(
                    userID: principal.userId, role: principal.role == .admin ? .admin : .customer, email: principal.email,
                    sessionID: principal.sessionId
                )
            } catch let error as RPCError where error.code == .unauthenticated {
                // An invalid token: the call goes on anonymous.
            }
        }
        try await next(context)
    }
}

extension AuthSettings {
    /// Cheap hashing and no throttle, for tests.
    static func testing(
        iterations: Int = 1_000,
        throttle: any LoginThrottle = .disabled,
        sessionCacheTTL: Duration = .seconds(10),
        queueLimit: Int = 32,
        registerQueueLimit: Int = 8
    ) -> AuthSettings {
        AuthSettings(
            passwordIterations: iterations, hasherThreads: 2, throttle: throttle, sessionCacheTTL: sessionCacheTTL,
            passwordQueueLimit: queueLimit, passwordRegisterQueueLimit: registerQueueLimit
        )
    }
}

/// An Auth module on a real SQLite file, served in process behind ``TestGateway``.
struct AuthHarness {
    static let startMs: Int64 = 1_750_000_000_000

    let directory: String
    let clock: ManualClock
    let module: AuthModule
    let auth: Bigshop_Auth_V1_AuthService.Client
    let verifier: Bigshop_Auth_V1_SessionVerifier.Client

    static func open(directory: String, clock: ManualClock, settings: AuthSettings) async throws -> AuthHarness {
        let silent = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        let module = try await AuthModule.open(storage: TestStorage.forDirectory(directory), clock: clock, settings: settings, logger: silent)
        let verifier = Bigshop_Auth_V1_SessionVerifier.Client(
            wrapping: RPCClient(
                transport: InProcessTransport(server: RPCServer(services: [module.sessionVerifier]))
            ))
        let server = RPCServer(services: [module.authService], interceptors: [TestGateway(verifier: verifier)])
        let auth = Bigshop_Auth_V1_AuthService.Client(wrapping: RPCClient(transport: InProcessTransport(server: server)))
        return AuthHarness(directory: directory, clock: clock, module: module, auth: auth, verifier: verifier)
    }

    /// Registers a customer and signs in.
    func customerSession(
        email: String = "ana@example.com",
        password: String = "correct horse"
    ) async throws -> Bigshop_Auth_V1_Session {
        _ = try await auth.register(Bigshop_Auth_V1_RegisterRequest(email: email, password: password, name: "Ana"))
        return try await login(email, password)
    }

    /// Creates an admin the way `bigshop serve` does, and signs in.
    func adminSession(
        email: String = "root@example.com",
        password: String = "admin password"
    ) async throws -> Bigshop_Auth_V1_Session {
        _ = try await module.ensureAdmin(email: email, password: password)
        return try await login(email, password)
    }

    // Shorthands for the calls most tests make.

    func register(_ email: String, _ password: String, name: String = "") async throws -> Bigshop_Auth_V1_User {
        try await auth.register(Bigshop_Auth_V1_RegisterRequest(email: email, password: password, name: name))
    }

    func login(_ email: String, _ password: String) async throws -> Bigshop_Auth_V1_Session {
        try await auth.login(Bigshop_Auth_V1_LoginRequest(email: email, password: password))
    }

    func whoAmI(_ token: String) async throws -> Bigshop_Auth_V1_User {
        try await auth.whoAmI(Bigshop_Auth_V1_WhoAmIRequest(), metadata: bearer(token))
    }

    func logout(_ token: String) async throws {
        _ = try await auth.logout(Bigshop_Auth_V1_LogoutRequest(), metadata: bearer(token))
    }

    func authenticate(_ token: String) async throws -> Bigshop_Auth_V1_Principal {
        try await verifier.authenticate(Bigshop_Auth_V1_AuthenticateRequest(token: token))
    }
}

/// Runs `body` with an Auth module on a fresh temporary directory, then
/// closes the module and removes the directory, whatever `body` does.
func withAuth(
    settings: AuthSettings = .testing(),
    _ body: (AuthHarness) async throws -> Void
) async throws {
    try await withTemporaryDirectory { directory in
        let harness = try await AuthHarness.open(
            directory: directory, clock: ManualClock(nowMs: AuthHarness.startMs), settings: settings
        )
        do {
            try await body(harness)
        } catch {
            await harness.module.close()
            throw error
        }
        await harness.module.close()
    }
}

/// Runs `body` with a fresh directory under the system temp dir, removed afterwards.
func withTemporaryDirectory(_ body: (String) async throws -> Void) async throws {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("bigshop-auth-tests-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: url) }
    try await body(url.path)
}

/// `authorization: Bearer <token>`.
func bearer(_ token: String) -> Metadata {
    [Metadata.authorizationKey: "Bearer \(token)"]
}

/// A server context as the gateway would hand to a provider, for calls made
/// directly on a provider (to choose the peer).
func directContext(peer: String, method: MethodDescriptor) -> ServerContext {
    ServerContext(method: method, metadata: [:], deadline: nil, peer: peer, requestID: "test-request")
}
