import ArgumentParser
import BigRPCInterop
import BigRPCTestingProtos
import BigShopServer
import Logging
import ServiceLifecycle

/// `bigshop`: the BigShop backend.
@main
struct BigShopCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bigshop",
        abstract: "The BigShop backend: every service in one process behind one port, or any of them per process.",
        subcommands: [Serve.self],
        defaultSubcommand: Serve.self
    )
}

/// On or off, for flags like `--rate-limit on|off`.
enum Switch: String, ExpressibleByArgument, CaseIterable {
    case on, off
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve BigShop's services (all of them by default) until SIGTERM or SIGINT.",
        discussion: """
            Creates its SQLite files under --data on first start and migrates them on \
            later ones. BIGSHOP_ADMIN_EMAIL and BIGSHOP_ADMIN_PASSWORD create the first \
            admin if absent. Without --tls-cert and --tls-key the public port serves \
            plain text. With --services, a process runs only those services, serves \
            them to the others on --internal-port, and reaches the rest at the \
            addresses of --peers (docs/OPERATIONS.md, "Across hosts"). Settings: flags override --config (JSON), which overrides \
            the defaults; see docs/OPERATIONS.md.
            """
    )

    @Option(help: "A JSON file of settings (any subset of the flags' names in camelCase).")
    var config: String?

    @Option(help: "The address to listen on.") var host: String?
    @Option(help: "The public port.") var port: Int?
    @Option(name: .customLong("data"), help: "The directory of the SQLite files.") var dataDirectory: String?
    @Option(help: "Storage engine: sqlite (files under --data, the default) or postgres (one database, replicas).")
    var store: StoreEngine?
    @Option(
        help: """
            The PostgreSQL database for --store postgres, postgres://USER@HOST:PORT/DATABASE, without a password \
            (BIGSHOP_POSTGRES_PASSWORD; or the whole URL in BIGSHOP_POSTGRES_URL instead of this flag).
            """)
    var postgresURL: String?
    @Option(help: "PostgreSQL connections per service that write at once (default 4).") var postgresWriterConnections: Int?
    @Option(
        help: """
            on: each service works as a PostgreSQL role of its own (--postgres-role-prefix + its name), owner of its schema, \
            taken with SET ROLE; off (default): every service works as the URL's role.
            """)
    var postgresServiceRoles: Switch?
    @Option(help: "The start of each service's PostgreSQL role name with --postgres-service-roles on (default bigshop_).")
    var postgresRolePrefix: String?
    @Option(help: "Gateway rate limits.") var rateLimit: Switch?
    @Option(help: "The gateway's cache of verified tokens, trusted while it follows Auth's revocations (default: on when Auth runs in this process).")
    var principalCache: Switch?

    @Option(help: "Calls per second per address, counted before authentication (all calls).") var preAuthAddressRate: Double?
    @Option(help: "Burst per address before authentication.") var preAuthAddressBurst: Double?
    @Option(help: "Failed authentications (bad tokens) per second per address.") var failedAuthRate: Double?
    @Option(help: "Failed authentications per address in a burst.") var failedAuthBurst: Double?
    @Option(help: "Calls per second per signed-in user.") var userRate: Double?
    @Option(help: "Burst per signed-in user.") var userBurst: Double?
    @Option(help: "Anonymous calls per second per address.") var addressRate: Double?
    @Option(help: "Anonymous burst per address.") var addressBurst: Double?
    @Option(help: "Login attempts per second per address.") var loginRate: Double?
    @Option(help: "Login burst per address.") var loginBurst: Double?
    @Option(help: "Register calls per second per address.") var registerRate: Double?
    @Option(help: "Register burst per address.") var registerBurst: Double?
    @Option(help: "FlashSale.Reserve calls per second per user.") var reserveRate: Double?
    @Option(help: "FlashSale.Reserve burst per user.") var reserveBurst: Double?

    @Option(help: "Session lifetime, in seconds.") var sessionTtl: Int?
    @Option(help: "PBKDF2 iterations for password hashes.") var passwordIterations: Int?
    @Option(help: "Threads that hash passwords.") var passwordThreads: Int?
    @Option(help: "Password hashing calls that may wait for a thread (Logins first).") var passwordQueue: Int?
    @Option(help: "Of those, how many may be Register calls.") var passwordRegisterQueue: Int?
    @Option(help: "How long an order waits for payment, in seconds.") var paymentWindow: Int?
    @Option(help: "Units of one product a customer may hold in its cart line plus its unpaid orders.")
    var maxUnitsPerProduct: Int?
    @Option(help: "Distinct products in one cart.") var maxCartLines: Int?
    @Option(help: "Unpaid orders one customer may have at once.") var maxUnpaidOrders: Int?
    @Option(help: "Seconds a customer's next checkout waits after one of its orders is cancelled or expires (0: off).")
    var checkoutCooldown: Int?
    @Option(
        help: """
            on: this orchestrator is the only one on its database (it leads at once and recovers every saga at start); \
            off: one of several replicas (default: on with SQLite, off with PostgreSQL).
            """)
    var orchestratorSoleInstance: Switch?
    @Option(help: "Reserves of one drop at the owner at once, per unit left (default 4).")
    var admissionInFlightPerUnit: Int?
    @Option(help: "Reserves of one drop at the owner at once, at least (default 16).")
    var admissionMinInFlight: Int?
    @Option(help: "Reserves at the owner at once while the gateway does not know the drop (default 256).")
    var admissionInFlightWhenUnknown: Int?
    @Option(help: "Reserves of one drop waiting for their turn; more get QUEUE_FULL (default 10000).") var admissionMaxQueued: Int?
    @Option(help: "Seconds a Reserve waits for its turn before QUEUE_FULL (default 2).") var admissionMaxWait: Double?
    @Option(help: "The least retry-after-ms of a QUEUE_FULL (default 250).") var admissionRetryAfterMinMs: Int?
    @Option(help: "The most retry-after-ms of a QUEUE_FULL (default 1500).") var admissionRetryAfterMaxMs: Int?
    @Option(help: "Seconds after which a silent drop feed is ignored (default 2.5).") var admissionFeedStaleAfter: Double?
    @Option(help: "Seconds before a drop opens during which the owner decides, not the feed (default 0.25).")
    var admissionDropOpeningMargin: Double?
    @Option(help: "Campaigns a gateway keeps a feed and a queue for (default 256).") var admissionMaxCampaigns: Int?
    @Option(help: "Seconds without a Reserve after which a campaign's feed stops (default 600).") var admissionIdleAfter: Double?
    @Option(help: "The Pix key in BR Codes.") var pixKey: String?
    @Option(help: "The merchant name in BR Codes (max 25).") var pixName: String?
    @Option(help: "The merchant city in BR Codes (max 15).") var pixCity: String?

    @Option(help: "The largest frame payload, in bytes (default 64 KiB; 4 MiB with --conformance).") var maxPayload: Int?
    @Option(help: "Streams open at once per connection.") var maxStreams: Int?
    @Option(help: "Idle connection timeout, in seconds.") var idleTimeout: Double?
    @Option(help: "Time for a started frame to arrive whole, in seconds.") var readTimeout: Double?
    @Option(help: "Graceful shutdown drain timeout, in seconds.") var drainTimeout: Double?
    @Option(help: "At a graceful shutdown, seconds to keep serving after Health turns NOT_SERVING, before GOAWAY (default 0).")
    var drainGrace: Double?
    @Option(
        name: .customLong("tls-cert"),
        help: ArgumentHelp("TLS 1.3 on the public port: the certificate chain, PEM, server's first (with --tls-key).", valueName: "file")
    )
    var tlsCertificate: String?
    @Option(
        name: .customLong("tls-key"),
        help: ArgumentHelp("The TLS certificate's private key, PEM, unencrypted (with --tls-cert).", valueName: "file")
    )
    var tlsKey: String?
    @Option(help: "Time for a unary or server-streaming request to arrive whole, in seconds.") var requestTimeout: Double?
    @Option(help: "Time for a new connection to send its first request, in seconds.") var connectionSetupTimeout: Double?
    @Option(help: "Request bytes held for handlers in all before new ones get RESOURCE_EXHAUSTED.")
    var maxBufferedRequestBytes: Int?
    @Option(help: "Request bytes held for one connection's handlers before it is no longer read.")
    var maxBufferedRequestBytesPerConnection: Int?
    @Option(help: "Connections at once (at most what the descriptor limit allows).") var maxConnections: Int?
    @Option(help: "Connections at once from one IPv4 address or IPv6 /64.") var maxConnectionsPerAddress: Int?
    @Option(help: "Streams open at once, all connections together.") var maxOpenStreams: Int?
    @Option(help: "Streams open at once from one IPv4 address or IPv6 /64.") var maxOpenStreamsPerAddress: Int?
    @Option(help: "Streams of a connection cancelled or refused in 10 s before it is closed.") var maxStreamChurn: Int?

    @Option(
        help: ArgumentHelp(
            "The services this process runs, comma-separated: any of gateway,auth,catalog,orders,history,payments,orchestrator,flashsale (default: all).",
            valueName: "list"))
    var services: String?
    @Option(help: "The address of the internal (service-to-service) port.") var internalHost: String?
    @Option(help: "The internal port (default 7071 when running only some services; none when running all, or only the gateway).")
    var internalPort: Int?
    @Option(
        help: ArgumentHelp(
            "Where other replicas reach this process's internal port (default: --internal-host and the port; required when that is 0.0.0.0 or ::).",
            valueName: "host:port"))
    var internalAdvertiseAddress: String?
    @Option(help: ArgumentHelp("JSON: each service name to its peers' addresses (host:port or dns:NAME:PORT).", valueName: "file"))
    var peers: String?
    @Option(
        name: .customLong("internal-tls-cert"),
        help: ArgumentHelp("Mutual TLS between services: this process's certificate chain, PEM (URI SANs spiffe://bigshop/<service>).", valueName: "file"))
    var internalTLSCertificate: String?
    @Option(name: .customLong("internal-tls-key"), help: ArgumentHelp("The internal certificate's private key, PEM.", valueName: "file"))
    var internalTLSKey: String?
    @Option(name: .customLong("internal-ca"), help: ArgumentHelp("The CA that signs every service's internal certificate, PEM.", valueName: "file"))
    var internalCA: String?

    @Option(help: "HTTP/JSON on this port too (every public method as POST /<package>.<Service>/<Method>; 0: off).")
    var httpPort: Int?
    @Option(
        name: .customLong("http-cors-origin"),
        help: ArgumentHelp("An origin whose pages may call the HTTP port (repeatable; * for any).", valueName: "origin"))
    var httpCORSOrigins: [String] = []
    @Option(help: "The address of the admin HTTP listener (/metrics, /healthz, /readyz).") var adminHost: String?
    @Option(help: "The admin HTTP listener's port (0, the default: off).") var adminPort: Int?
    @Option(help: ArgumentHelp("Export spans over OTLP/HTTP to this collector, e.g. http://127.0.0.1:4318 (default: export nothing).", valueName: "url"))
    var otlpEndpoint: String?
    @Option(help: "Of the traces started here, the fraction sampled (default 0.01); callers' traceparent decides for theirs.")
    var traceSampleRatio: Double?

    @Flag(help: "Fill an empty catalog with demo products.") var seedDemo = false
    @Flag(help: "Also serve the conformance service bigrpc.testing.v1.TestService.") var conformance = false
    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.") var logLevel: String = "info"

    func resolvedConfiguration() throws -> BigShopConfiguration {
        var c = try config.map(BigShopConfiguration.load(fromJSONFile:)) ?? BigShopConfiguration()
        if let host { c.host = host }
        if let port { c.port = port }
        if let dataDirectory { c.dataDirectory = dataDirectory }
        if let store { c.store = store }
        if let postgresURL { c.postgresURL = postgresURL }
        if let postgresWriterConnections { c.postgresWriterConnections = postgresWriterConnections }
        if let postgresServiceRoles { c.postgresServiceRoles = postgresServiceRoles == .on }
        if let postgresRolePrefix { c.postgresRolePrefix = postgresRolePrefix }
        if let rateLimit { c.rateLimit = rateLimit == .on }
        if let principalCache { c.principalCache = principalCache == .on }
        if let preAuthAddressRate { c.rateLimits.allCallsPerAddress.perSecond = preAuthAddressRate }
        if let preAuthAddressBurst { c.rateLimits.allCallsPerAddress.burst = preAuthAddressBurst }
        if let failedAuthRate { c.rateLimits.failedAuthPerAddress.perSecond = failedAuthRate }
        if let failedAuthBurst { c.rateLimits.failedAuthPerAddress.burst = failedAuthBurst }
        if let userRate { c.rateLimits.perUser.perSecond = userRate }
        if let userBurst { c.rateLimits.perUser.burst = userBurst }
        if let addressRate { c.rateLimits.perAddress.perSecond = addressRate }
        if let addressBurst { c.rateLimits.perAddress.burst = addressBurst }
        if let loginRate { c.rateLimits.loginPerAddress.perSecond = loginRate }
        if let loginBurst { c.rateLimits.loginPerAddress.burst = loginBurst }
        if let registerRate { c.rateLimits.registerPerAddress.perSecond = registerRate }
        if let registerBurst { c.rateLimits.registerPerAddress.burst = registerBurst }
        if let reserveRate { c.rateLimits.reservePerUser.perSecond = reserveRate }
        if let reserveBurst { c.rateLimits.reservePerUser.burst = reserveBurst }
        if let sessionTtl { c.sessionTTLSeconds = sessionTtl }
        if let passwordIterations { c.passwordIterations = passwordIterations }
        if let passwordThreads { c.passwordHashingThreads = passwordThreads }
        if let passwordQueue { c.passwordQueueLimit = passwordQueue }
        if let passwordRegisterQueue { c.passwordRegisterQueueLimit = passwordRegisterQueue }
        if let paymentWindow { c.paymentWindowSeconds = paymentWindow }
        if let maxUnitsPerProduct { c.maxUnitsPerProduct = maxUnitsPerProduct }
        if let maxCartLines { c.maxCartLines = maxCartLines }
        if let maxUnpaidOrders { c.maxUnpaidOrders = maxUnpaidOrders }
        if let checkoutCooldown { c.checkoutCooldownSeconds = checkoutCooldown }
        if let orchestratorSoleInstance { c.orchestratorSoleInstance = orchestratorSoleInstance == .on }
        applyAdmission(to: &c.admission)
        if let pixKey { c.pixMerchantKey = pixKey }
        if let pixName { c.pixMerchantName = pixName }
        if let pixCity { c.pixMerchantCity = pixCity }
        if let maxPayload { c.maxPayloadBytes = maxPayload }
        if let maxStreams { c.maxConcurrentStreams = maxStreams }
        if let idleTimeout { c.idleTimeoutSeconds = idleTimeout }
        if let readTimeout { c.readTimeoutSeconds = readTimeout }
        if let drainTimeout { c.drainTimeoutSeconds = drainTimeout }
        if let drainGrace { c.drainGraceSeconds = drainGrace }
        if let tlsCertificate { c.tlsCertificatePath = tlsCertificate }
        if let tlsKey { c.tlsKeyPath = tlsKey }
        if let requestTimeout { c.requestTimeoutSeconds = requestTimeout }
        if let connectionSetupTimeout { c.connectionSetupTimeoutSeconds = connectionSetupTimeout }
        if let maxBufferedRequestBytes { c.maxBufferedRequestBytes = maxBufferedRequestBytes }
        if let maxBufferedRequestBytesPerConnection {
            c.maxBufferedRequestBytesPerConnection = maxBufferedRequestBytesPerConnection
        }
        if let maxConnections { c.maxConnections = maxConnections }
        if let maxConnectionsPerAddress { c.maxConnectionsPerAddress = maxConnectionsPerAddress }
        if let maxOpenStreams { c.maxOpenStreams = maxOpenStreams }
        if let maxOpenStreamsPerAddress { c.maxOpenStreamsPerAddress = maxOpenStreamsPerAddress }
        if let maxStreamChurn { c.maxStreamChurn = maxStreamChurn }
        if let services { c.services = services.split(separator: ",").map(String.init) }
        if let internalHost { c.internalHost = internalHost }
        if let internalPort { c.internalPort = internalPort }
        if let internalAdvertiseAddress { c.internalAdvertiseAddress = internalAdvertiseAddress }
        if let httpPort { c.httpPort = httpPort }
        if !httpCORSOrigins.isEmpty { c.httpAllowedOrigins = httpCORSOrigins }
        if let peers { c.peersFile = peers }
        if let internalTLSCertificate { c.internalTLSCertificatePath = internalTLSCertificate }
        if let internalTLSKey { c.internalTLSKeyPath = internalTLSKey }
        if let internalCA { c.internalCAPath = internalCA }
        if let adminHost { c.adminHost = adminHost }
        if let adminPort { c.adminPort = adminPort }
        if let otlpEndpoint { c.otlpEndpoint = otlpEndpoint }
        if let traceSampleRatio { c.traceSampleRatio = traceSampleRatio }
        if seedDemo { c.seedDemoCatalog = true }
        if conformance { c.enableConformanceService = true }
        do {
            try c.validate()
        } catch {
            throw ValidationError(error.description)
        }
        return c
    }

    private func applyAdmission(to a: inout AdmissionConfiguration) {
        if let admissionInFlightPerUnit { a.inFlightPerRemainingUnit = admissionInFlightPerUnit }
        if let admissionMinInFlight { a.minimumInFlight = admissionMinInFlight }
        if let admissionInFlightWhenUnknown { a.inFlightWhenUnknown = admissionInFlightWhenUnknown }
        if let admissionMaxQueued { a.maxQueued = admissionMaxQueued }
        if let admissionMaxWait { a.maxWaitSeconds = admissionMaxWait }
        if let admissionRetryAfterMinMs { a.retryAfterMinMs = admissionRetryAfterMinMs }
        if let admissionRetryAfterMaxMs { a.retryAfterMaxMs = admissionRetryAfterMaxMs }
        if let admissionFeedStaleAfter { a.feedStaleAfterSeconds = admissionFeedStaleAfter }
        if let admissionDropOpeningMargin { a.dropOpeningMarginSeconds = admissionDropOpeningMargin }
        if let admissionMaxCampaigns { a.maxCampaigns = admissionMaxCampaigns }
        if let admissionIdleAfter { a.idleAfterSeconds = admissionIdleAfter }
    }

    func run() async throws {
        guard let level = Logger.Level(rawValue: logLevel) else {
            throw ValidationError("unknown log level \(logLevel)")
        }
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "bigshop")
        let configuration = try resolvedConfiguration()
        ProcessLimits.raiseDescriptorLimit(logger: logger)
        ProcessLimits.returnFreedMemoryToTheSystem(logger: logger)
        var assembly = ShopAssembly(configuration: configuration)
        assembly.admin = AdminBootstrap.fromEnvironment()
        if configuration.enableConformanceService {
            // The conformance fixture lives here, not in the BigShopServer library.
            assembly.addPublicService(
                TestServiceProvider(maxPayloadSize: configuration.effectiveMaxPayloadBytes),
                methods: Bigrpc_Testing_V1_TestService.Method.all)
        }
        // Before the app: its interceptors take the factory and the tracer when made.
        let observability = try ShopObservability.bootstrap(configuration, logger: logger)
        let app = try await BigShopApp.open(assembly, registry: observability.registry)
        let group = ServiceGroup(
            services: observability.services + app.services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        try await group.run()
    }
}

extension StoreEngine: ExpressibleByArgument {}
