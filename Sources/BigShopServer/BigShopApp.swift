import BigRPC
import BigRPCHTTP
import BigRPCMetrics
import BigRPCNIO
import BigRPCStandardServices
import BigRPCTracing
import BigShopAuthAPI
import BigShopFlashSale
import BigShopFlashSaleAPI
import BigShopGateway
import BigShopServiceKit
import Foundation
import Logging
public import NIOCore
public import Prometheus
public import ServiceLifecycle

/// `bigshop serve`: the services of a ``ShopAssembly`` behind the public
/// port, which exposes the public services through the gateway (access log,
/// authentication, roles, rate limits), and, when the process runs only some
/// of the services (``BigShopConfiguration/services``), the internal port
/// that serves them to the shop's other processes.
///
/// ```swift
/// let app = try await BigShopApp.open(ShopAssembly(configuration: configuration))
/// try await ServiceGroup(services: app.services, gracefulShutdownSignals: [.sigterm], logger: logger).run()
/// ```
public final class BigShopApp: Sendable {
    public let configuration: BigShopConfiguration
    /// The services, open and wired.
    public let shop: OpenShop
    private let remoteParts: RemoteParts?
    private let publicPort: DrainingPort?
    /// The gateway's admission of flash-sale Reserves, when it serves the flash sale.
    public let admission: DropAdmission?
    /// The gateway's principals of recently verified tokens, when it runs the gateway.
    public let principals: PrincipalCache?
    private let revocationFollower: RevocationFollower?
    private let internalPort: DrainingPort?
    private let httpEdge: HTTPEdge?
    /// The admin HTTP listener, when ``BigShopConfiguration/adminPort`` is not 0.
    public let admin: AdminListener?
    /// Whether the process should be sent work (`/readyz`).
    public let readiness: ShopReadiness

    /// The admin listener (stopped last, so `/readyz` answers through the
    /// drain), the connections to other processes, the shop's services, then
    /// the ports: a `ServiceGroup`'s graceful shutdown stops the HTTP edge and
    /// drains the public port first, then the internal one, then stops each
    /// service after those that call it (each finishing its work in flight)
    /// and closes its database, and closes the connections to other
    /// processes last.
    public var services: [any Service] {
        [admin as (any Service)?, remoteParts].compactMap { $0 } + shop.services
            + ([internalPort, revocationFollower, admission, publicPort] as [(any Service)?] + [httpEdge]).compactMap { $0 }
    }

    private init(
        configuration: BigShopConfiguration, shop: OpenShop, remoteParts: RemoteParts?, publicPort: DrainingPort?,
        admission: DropAdmission?, principals: (cache: PrincipalCache, follower: RevocationFollower)?, internalPort: DrainingPort?,
        httpEdge: HTTPEdge?, registry: PrometheusCollectorRegistry?, logger: Logger
    ) {
        self.configuration = configuration
        self.shop = shop
        self.remoteParts = remoteParts
        self.publicPort = publicPort
        self.admission = admission
        self.principals = principals?.cache
        self.revocationFollower = principals?.follower
        self.internalPort = internalPort
        self.httpEdge = httpEdge
        let ports = [("public", publicPort), ("internal", internalPort)].compactMap { name, port in port.map { (name: name, health: $0.health) } }
        let remote = (remoteParts?.balancers ?? [:]).sorted { $0.key.rawValue < $1.key.rawValue }.map { (name: $0.key.rawValue, balancer: $0.value) }
        readiness = ShopReadiness(ports: ports, remote: remote)
        admin =
            configuration.adminPort == 0
            ? nil
            : AdminListener(
                host: configuration.adminHost, port: configuration.adminPort, registry: registry ?? PrometheusCollectorRegistry(),
                readiness: readiness, beforeScrape: { ShopGauges.record(shop) }, logger: logger)
    }

    /// Opens the services of `assembly` (see ``ShopAssembly/open()``) and
    /// the ports over them. Serving starts when ``services`` run.
    ///
    /// Every call is measured (``ServerMetricsInterceptor``,
    /// ``ClientMetricsInterceptor``, into the process's `MetricsSystem`) and
    /// traced (the process's `InstrumentationSystem` tracer); `registry` is
    /// what the admin listener's `/metrics` shows: the one the
    /// `MetricsSystem` was bootstrapped with.
    ///
    /// When the configuration runs only some of the services, they replace
    /// the assembly's ``ShopAssembly/parts``, and the parts they call are
    /// reached at the addresses of the peers file.
    public static func open(_ assembly: ShopAssembly, registry: PrometheusCollectorRegistry? = nil) async throws -> BigShopApp {
        var assembly = assembly
        assembly.serverInterceptors =
            [ServerMetricsInterceptor(), ServerTracingInterceptor(rootSampleRatio: assembly.configuration.traceSampleRatio)] + assembly.serverInterceptors
        assembly.clientInterceptors = [ClientTracingInterceptor(), ClientMetricsInterceptor()] + assembly.clientInterceptors
        let configuration = assembly.configuration
        let logger = assembly.logger("")
        try configuration.validate()
        let selection = try configuration.serviceSelection()
        if !selection.isEverything { assembly.parts = selection.parts }

        // Before any database: bad TLS or peers files fail the start at once.
        let security = selection.runsGateway ? try publicPortSecurity(configuration, logger: logger, tlsLogger: assembly.logger("tls")) : nil
        let internalTLS = InternalTLS(configuration)
        if let internalTLS { try checkCertificate(internalTLS, names: selection, logger: logger) }
        let remote = selection.isEverything ? [] : selection.remoteDependencies
        var remoteParts: RemoteParts?
        if !remote.isEmpty {
            guard let peersFile = configuration.peersFile else {
                let names = remote.map(\.rawValue).sorted().joined(separator: ",")
                throw BigShopConfigurationError("these services call \(names), which this process does not run: give their addresses with --peers")
            }
            let parts = try RemoteParts(parts: remote, peers: try Peers.load(fromJSONFile: peersFile), tls: internalTLS, logger: assembly.logger("peers"))
            remoteParts = parts
            assembly.remoteParts = parts.balancers
            // Calls lost on the way to another host: resent when they were
            // never processed, or are idempotent (saga steps carry keys).
            assembly.clientInterceptors.append(RetryInterceptor(policy: RetryPolicy()))
        }
        if let port = configuration.effectiveInternalPort, port != 0, assembly.instance.internalAddress.isEmpty {
            assembly.instance.internalAddress = try configuration.internalAddressToAdvertise(port: port)
            if assembly.parts.contains(.flashsale), assembly.replicas == nil {
                assembly.replicas = try ReplicaConnections(
                    service: ShopAssembly.Part.flashsale.rawValue, ownAddress: assembly.instance.internalAddress, tls: internalTLS,
                    logger: assembly.logger("replicas"))
            }
        }
        let storage = try assembly.storage ?? configuration.shopStorage(environment: ProcessInfo.processInfo.environment)
        assembly.storage = storage
        if !assembly.parts.isEmpty {
            if let directory = storage.directory {
                try DataDirectory.prepare(directory, logger: logger)
            } else if case .postgres(let postgres) = storage {
                logger.info("storage", metadata: ["postgres": "\(postgres.endpoint)", "schemas": "\(postgres.schemaPrefix)<service>"])
            }
        }
        let shop = try await assembly.open()

        let admission = selection.runsGateway ? makeDropAdmission(assembly, shop: shop, remoteParts: remoteParts) : nil
        let principals = selection.runsGateway ? makePrincipalCache(assembly, shop: shop) : nil
        let publicPort =
            selection.runsGateway
            ? try makeGatewayPort(
                assembly, shop: shop, remoteParts: remoteParts, admission: admission, principals: principals?.cache, security: security)
            : nil
        var internalPort: DrainingPort?
        if let port = configuration.effectiveInternalPort {
            internalPort = try makeInternalPort(assembly, shop: shop, port: port, tls: internalTLS)
        }
        logger.info(
            "services",
            metadata: [
                "run": "\(selection.names.joined(separator: ","))", "public-port": "\(selection.runsGateway ? "\(configuration.port)" : "none")",
                "internal-port": "\(configuration.effectiveInternalPort.map { "\(configuration.internalHost):\($0)" } ?? "none")",
            ])
        var httpEdge: HTTPEdge?
        if let publicPort, let httpPort = configuration.httpPort, httpPort != 0 {
            var edge = HTTPEdgeConfiguration()
            edge.host = configuration.host
            edge.port = httpPort
            edge.maxBodyBytes = configuration.effectiveMaxPayloadBytes
            edge.idleTimeout = Duration(saturatingSeconds: min(configuration.idleTimeoutSeconds, 60))
            edge.allowedOrigins = configuration.httpAllowedOrigins
            // The same certificate as the BigRPC port; plain text (and its
            // warning) when that one is plain.
            edge.tls = security?.tlsConfiguration
            edge.staticFiles = try StorefrontFiles.load()
            let transcoder = try HTTPTranscoder(server: publicPort.server, services: publicPort.services)
            httpEdge = HTTPEdge(transcoder: transcoder, configuration: edge, logger: assembly.logger("http"))
        }
        return BigShopApp(
            configuration: configuration, shop: shop, remoteParts: remoteParts, publicPort: publicPort,
            admission: admission, principals: principals, internalPort: internalPort, httpEdge: httpEdge, registry: registry,
            logger: assembly.logger("admin"))
    }

    /// Whether this process serves the HTTP/JSON edge.
    public var hasHTTPEdge: Bool { httpEdge != nil }

    /// The HTTP edge's address once bound (port 0 picks a free one).
    public func httpListeningAddress() async throws -> SocketAddress {
        guard let httpEdge else { throw BigShopConfigurationError("this process serves no HTTP edge (--http-port)") }
        return await httpEdge.listeningAddress()
    }

    /// Whether this process serves the public port (it runs the gateway).
    public var hasPublicPort: Bool { publicPort != nil }

    /// Whether this process serves an internal port.
    public var hasInternalPort: Bool { internalPort != nil }

    /// The public port's address once bound (port 0 picks a free one).
    public func listeningAddress() async throws -> SocketAddress {
        guard let publicPort else { throw BigShopConfigurationError("this process runs no gateway: it has no public port") }
        return try await publicPort.transport.listeningAddress()
    }

    /// The internal port's address once bound.
    public func internalListeningAddress() async throws -> SocketAddress {
        guard let internalPort else { throw BigShopConfigurationError("this process has no internal port") }
        return try await internalPort.transport.listeningAddress()
    }

    // MARK: Ports

    /// The public port: the local public services, and the remote ones
    /// forwarded undecoded, all behind the gateway's checks.
    private static func makeGatewayPort(
        _ assembly: ShopAssembly, shop: OpenShop, remoteParts: RemoteParts?, admission: DropAdmission?, principals: PrincipalCache?,
        security: (any ServerConnectionSecurity)?
    ) throws -> DrainingPort {
        let configuration = assembly.configuration
        var policy = AccessPolicy.shop
        policy.merge(assembly.extraAccess)
        let verifier = Bigshop_Auth_V1_SessionVerifier.Client(wrapping: shop.client)
        let gateway = GatewayInterceptor(
            policy: policy,
            limiters: configuration.rateLimit ? GatewayLimiters(configuration.rateLimits) : nil
        ) { token in
            guard let principals else { return try await verify(token, verifier)?.principal }
            return try await principals.principal(for: token) { try await verify($0, verifier) }
        }
        var publicServices = shop.publicServices
        var forwarded: [any RegistrableRPCService] = []
        if let admission, let flashSale = shop.flashSale {
            publicServices = publicServices.map {
                $0 is FlashSaleServiceProvider ? AdmittedFlashSaleService(upstream: flashSale.flashSaleService, admission: admission) : $0
            }
        }
        for (part, balancer) in (remoteParts?.balancers ?? [:]).sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            guard let shape = part.publicService else { continue }
            if part == .flashsale, let admission {
                let client = Bigshop_Flashsale_V1_FlashSaleService.Client(wrapping: flashSaleClient(balancer))
                forwarded.append(
                    AdmittedFlashSaleService(upstream: RemoteFlashSaleService(client: client, forwarded: forwardedMetadata), admission: admission))
                continue
            }
            forwarded.append(
                ForwardingService(
                    methods: shape.methods, fileDescriptorProtos: shape.fileDescriptorProtos, transport: balancer, retry: RetryPolicy(),
                    metadata: forwardedMetadata))
        }

        var server = serverConfiguration(configuration)
        server.host = configuration.host
        server.port = configuration.port
        server.security = security
        server.observer = TransportMetrics(port: "public")
        let standard = StandardServices(serving: publicServices + forwarded)
        return DrainingPort(
            transport: BigRPCServer(configuration: server, logger: assembly.logger("rpc")),
            server: RPCServer(
                services: standard.all,
                interceptors: [
                    ServerMetricsInterceptor(), ServerTracingInterceptor(rootSampleRatio: configuration.traceSampleRatio),
                    AccessLogInterceptor(logger: assembly.logger("access")), gateway, StoreFailureInterceptor(),
                ],
                logger: assembly.logger("rpc")
            ),
            services: standard.all,
            health: standard.health,
            drainGrace: Duration(saturatingSeconds: configuration.drainGraceSeconds)
        )
    }

    /// Auth's answer about `token`: its principal and its session's expiry,
    /// or nil when Auth refuses the token.
    private static func verify(
        _ token: String, _ verifier: Bigshop_Auth_V1_SessionVerifier.Client
    ) async throws -> (principal: Principal, sessionExpiresAtMs: Int64)? {
        do {
            let principal = try await verifier.authenticate(.init(token: token))
            return (
                Principal(
                    userID: principal.userId, role: principal.role == .admin ? .admin : .customer, email: principal.email,
                    sessionID: principal.sessionId),
                principal.sessionExpiresAtMs
            )
        } catch let error as RPCError where error.code == .unauthenticated {
            return nil
        }
    }

    /// The gateway's principal cache and the follower of Auth's revocations
    /// that makes it trusted (through the in-process client when Auth runs
    /// here, else through its peers). Nil when off: see
    /// ``BigShopConfiguration/principalCache`` (by default on only when Auth runs here).
    private static func makePrincipalCache(_ assembly: ShopAssembly, shop: OpenShop) -> (cache: PrincipalCache, follower: RevocationFollower)? {
        let authIsHere = assembly.parts.contains(.auth)
        guard assembly.configuration.principalCache ?? authIsHere else { return nil }
        let clock = assembly.clock
        let cache = PrincipalCache(nowMs: { clock.nowMs() })
        let verifier = Bigshop_Auth_V1_SessionVerifier.Client(wrapping: shop.client)
        return (cache, RevocationFollower(cache: cache, verifier: verifier, logger: assembly.logger("revocations")))
    }

    /// The gateway's admission of flash-sale Reserves, fed by the owner's
    /// WatchDrop: through the in-process client when the flash sale runs
    /// here, else through its peers. Nil when this process serves no flash sale.
    private static func makeDropAdmission(_ assembly: ShopAssembly, shop: OpenShop, remoteParts: RemoteParts?) -> DropAdmission? {
        let rpcClient: RPCClient
        if shop.flashSale != nil {
            rpcClient = shop.client
        } else if let balancer = remoteParts?.balancers[.flashsale] {
            rpcClient = flashSaleClient(balancer)
        } else {
            return nil
        }
        let client = Bigshop_Flashsale_V1_FlashSaleService.Client(wrapping: rpcClient)
        let clock = assembly.clock
        return DropAdmission(
            settings: assembly.configuration.admission.settings, clockMs: { clock.nowMs() }, logger: assembly.logger("admission")
        ) { campaignID, onUpdate in
            try await client.watchDrop(.init(campaignId: campaignID)) { updates in
                for try await update in updates where !onUpdate(update) { return }
            }
        }
    }

    /// A client of the remote flash sale; calls lost on the way are resent
    /// when they were never processed.
    private static func flashSaleClient(_ balancer: any ClientTransport) -> RPCClient {
        RPCClient(transport: balancer, interceptors: [RetryInterceptor(policy: RetryPolicy())])
    }

    /// What a gateway sends upstream with a public call: the caller's
    /// metadata without its token and without `x-bigshop-*` keys, the
    /// principal it established, the call's request id, and the trace
    /// context of the gateway's server span in place of the caller's (so
    /// that the upstream span is its child, and a trace the gateway started
    /// goes on upstream).
    @Sendable static func forwardedMetadata(_ context: ServerContext) -> Metadata {
        var metadata = ForwardedPrincipal.publicPart(of: context.metadata)
        metadata.injectCurrentTraceContext()
        metadata[Metadata.requestIDKey] = context.requestID
        if let principal = context.principal { metadata[ForwardedPrincipal.metadataKey] = ForwardedPrincipal.encode(principal) }
        return metadata
    }

    /// The internal port: every local service, to the shop's other
    /// processes, under the internal access policy.
    private static func makeInternalPort(_ assembly: ShopAssembly, shop: OpenShop, port: Int, tls: InternalTLS?) throws -> DrainingPort {
        let configuration = assembly.configuration
        let logger = assembly.logger("")
        var server = serverConfiguration(configuration)
        server.host = configuration.internalHost
        server.port = port
        // Few peers, many calls each: the per-address caps meant for the
        // public side would throttle a gateway.
        server.maxConcurrentStreams = max(configuration.maxConcurrentStreams, 4_096)
        server.maxConnectionsPerAddress = configuration.maxConnections
        server.maxOpenStreamsPerAddress = configuration.maxOpenStreams
        server.maxStreamChurn = max(configuration.maxStreamChurn, 100_000)
        server.observer = TransportMetrics(port: "internal")
        if let tls {
            server.security = try tls.serverSecurity(logger: assembly.logger("tls"))
            logger.info("the internal port requires mutual TLS 1.3", metadata: ["address": "\(configuration.internalHost):\(port)"])
        } else {
            logger.warning(
                "the internal port serves plain text on loopback: callers are not authenticated (--internal-tls-cert, --internal-tls-key and --internal-ca turn on mutual TLS)",
                metadata: ["address": "\(configuration.internalHost):\(port)"])
        }
        let standard = StandardServices(serving: shop.localServices)
        return DrainingPort(
            transport: BigRPCServer(configuration: server, logger: assembly.logger("internal")),
            server: RPCServer(
                services: standard.all,
                interceptors: [
                    ServerMetricsInterceptor(), ServerTracingInterceptor(rootSampleRatio: configuration.traceSampleRatio),
                    InternalCallInterceptor(policy: .shop, authenticatesCallers: tls != nil), StoreFailureInterceptor(),
                ],
                logger: assembly.logger("internal")),
            services: standard.all,
            health: standard.health,
            drainGrace: Duration(saturatingSeconds: configuration.drainGraceSeconds)
        )
    }

    /// The transport settings both ports share.
    private static func serverConfiguration(_ configuration: BigShopConfiguration) -> BigRPCServer.Configuration {
        var server = BigRPCServer.Configuration()
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
        return server
    }

    /// Refuses a certificate that does not name every service the process
    /// runs: its peers would refuse it.
    private static func checkCertificate(_ tls: InternalTLS, names selection: ServiceSelection, logger: Logger) throws {
        let named = try tls.certificateServiceNames()
        let missing = selection.names.filter { !named.contains($0) }
        guard missing.isEmpty else {
            throw BigShopConfigurationError(
                "the internal certificate \(tls.certificateFile) does not name \(missing.map(InternalTLS.uri(of:)).joined(separator: ", ")) (it names \(named.sorted().map(InternalTLS.uri(of:)).joined(separator: ", ")))"
            )
        }
        logger.info("internal identity", metadata: ["names": "\(named.sorted().map(InternalTLS.uri(of:)).joined(separator: ","))"])
    }
}
