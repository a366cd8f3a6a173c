import BigRPC
import BigRPCNIO
import BigRPCStandardServices
import BigShopAuthAPI
import BigShopGateway
import BigShopServiceKit
import Foundation
import Logging
public import NIOCore
public import ServiceLifecycle

/// `bigshop serve`: the services of a ``ShopAssembly`` behind one public
/// port, which exposes the public services through the gateway (access log,
/// authentication, roles, rate limits).
///
/// ```swift
/// let app = try await BigShopApp.open(ShopAssembly(configuration: configuration))
/// try await ServiceGroup(services: app.services, gracefulShutdownSignals: [.sigterm], logger: logger).run()
/// ```
public final class BigShopApp: Sendable {
    public let configuration: BigShopConfiguration
    /// The services, open and wired.
    public let shop: OpenShop
    private let publicPort: PublicPort

    /// The shop's services, then the public server: a `ServiceGroup`'s
    /// graceful shutdown drains the public port first, then stops each
    /// service after those that call it (each finishing its work in flight)
    /// and closes its database.
    public var services: [any Service] { shop.services + [publicPort] }

    private init(configuration: BigShopConfiguration, shop: OpenShop, publicPort: PublicPort) {
        self.configuration = configuration
        self.shop = shop
        self.publicPort = publicPort
    }

    /// Opens every service of `assembly` (see ``ShopAssembly/open()``) and
    /// the public server over them. Serving starts when ``services`` run.
    public static func open(_ assembly: ShopAssembly) async throws -> BigShopApp {
        let configuration = assembly.configuration
        let logger = assembly.logger("")
        try configuration.validate()
        // Before any database: bad TLS files fail the start at once.
        let security = try publicPortSecurity(configuration, logger: logger, tlsLogger: assembly.logger("tls"))
        try DataDirectory.prepare(configuration.dataDirectory, logger: logger)
        let shop = try await assembly.open()

        var policy = AccessPolicy.shop
        policy.merge(assembly.extraAccess)
        let verifier = Bigshop_Auth_V1_SessionVerifier.Client(wrapping: shop.client)
        let gateway = GatewayInterceptor(
            policy: policy,
            limiters: configuration.rateLimit ? GatewayLimiters(configuration.rateLimits) : nil
        ) { token in
            do {
                let principal = try await verifier.authenticate(.init(token: token))
                return Principal(
                    userID: principal.userId, role: principal.role == .admin ? .admin : .customer, email: principal.email,
                    sessionID: principal.sessionId)
            } catch let error as RPCError where error.code == .unauthenticated {
                return nil
            }
        }

        var server = BigRPCServer.Configuration()
        server.host = configuration.host
        server.port = configuration.port
        server.maxPayloadSize = configuration.effectiveMaxPayloadBytes
        server.maxConcurrentStreams = configuration.maxConcurrentStreams
        server.idleTimeout = Duration(saturatingSeconds: configuration.idleTimeoutSeconds)
        server.readTimeout = Duration(saturatingSeconds: configuration.readTimeoutSeconds)
        server.drainTimeout = Duration(saturatingSeconds: configuration.drainTimeoutSeconds)
        server.requestTimeout = Duration(saturatingSeconds: configuration.requestTimeoutSeconds)
        server.connectionSetupTimeout = Duration(saturatingSeconds: configuration.connectionSetupTimeoutSeconds)
        server.maxBufferedRequestBytesPerConnection = configuration.maxBufferedRequestBytesPerConnection
        server.maxBufferedRequestBytes = configuration.maxBufferedRequestBytes
        server.maxConnections = configuration.maxConnections
        server.maxConnectionsPerAddress = configuration.maxConnectionsPerAddress
        server.maxOpenStreams = configuration.maxOpenStreams
        server.maxOpenStreamsPerAddress = configuration.maxOpenStreamsPerAddress
        server.maxStreamChurn = configuration.maxStreamChurn
        server.memoryTrimInterval = .seconds(1)
        server.security = security
        let standard = StandardServices(serving: shop.publicServices)
        let publicPort = PublicPort(
            transport: BigRPCServer(configuration: server, logger: assembly.logger("rpc")),
            server: RPCServer(
                services: standard.all,
                interceptors: [AccessLogInterceptor(logger: assembly.logger("access")), gateway],
                logger: assembly.logger("rpc")
            ),
            health: standard.health,
            drainGrace: Duration(saturatingSeconds: configuration.drainGraceSeconds)
        )
        return BigShopApp(configuration: configuration, shop: shop, publicPort: publicPort)
    }

    /// The public port's address once bound (port 0 picks a free one).
    public func listeningAddress() async throws -> SocketAddress {
        try await publicPort.transport.listeningAddress()
    }
}
