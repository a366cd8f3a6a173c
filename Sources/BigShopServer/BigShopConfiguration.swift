public import BigShopGateway
import Foundation

/// Every setting of `bigshop serve`. Each has a default that a launch would
/// use; flags override a JSON config file, which overrides the defaults.
/// Secrets come from the environment only (see ``AdminBootstrap``).
public struct BigShopConfiguration: Sendable, Codable, Equatable {
    /// The address of the public port.
    public var host = "127.0.0.1"
    public var port = 7070
    /// Where the SQLite files live (one per service), created on first start.
    public var dataDirectory = "./data"
    /// The storage engine: SQLite files under ``dataDirectory`` (the default,
    /// nothing to install) or one PostgreSQL database (replicas); see
    /// ``shopStorage(environment:)``.
    public var store = StoreEngine.sqlite
    /// The PostgreSQL database, `postgres://USER@HOST:PORT/DATABASE`, without
    /// a password (that comes from `BIGSHOP_POSTGRES_PASSWORD`, or the whole
    /// URL from `BIGSHOP_POSTGRES_URL`): never a secret on a command line.
    public var postgresURL: String?
    /// PostgreSQL connections per service that run write transactions at once
    /// (each service also has 4 reader connections).
    public var postgresWriterConnections = 4
    /// Each service works as a role of its own (``postgresRolePrefix`` + its
    /// name: `bigshop_orders`), NOLOGIN and owner of the service's schema,
    /// taken with `SET ROLE` by every connection, so that no service reads
    /// or writes another's tables even in one process. Off (the default):
    /// every service works as the URL's role. See docs/OPERATIONS.md,
    /// "Running on PostgreSQL".
    public var postgresServiceRoles = false
    /// The start of each service's role name with ``postgresServiceRoles``.
    public var postgresRolePrefix = "bigshop_"

    /// Gateway rate limits; `rateLimit = false` turns them off (load tests
    /// from one address).
    public var rateLimit = true
    public var rateLimits = RateLimits()
    /// The gateway keeps the principals of tokens it verified, trusted while
    /// it follows Auth's revocations (``PrincipalCache``). Nil (the default):
    /// only when Auth runs in the same process, where the feed cannot hang
    /// unnoticed. True: also with a remote Auth, accepting that a gateway
    /// whose link to Auth hangs without closing may answer a logged-out
    /// session from its cache until the link is found dead or the entry's
    /// 10 s pass. False: Auth is asked on every call.
    public var principalCache: Bool?
    /// Login attempts per (address, email): a burst, then one per this many seconds.
    public var loginPerAddressEmailBurst = 5.0
    public var loginPerAddressEmailPerSecond = 1.0 / 12

    /// Sessions last this long.
    public var sessionTTLSeconds = 24 * 3600
    /// PBKDF2-HMAC-SHA256 iterations for new password hashes.
    public var passwordIterations = 600_000
    /// Threads that hash passwords (never the event loops or the task pool).
    public var passwordHashingThreads = 2
    /// Password hashing calls that may wait for a thread (Login first); past
    /// it, RESOURCE_EXHAUSTED `HASHING_QUEUE_FULL`. Of those, at most
    /// `passwordRegisterQueueLimit` may be Register-class.
    public var passwordQueueLimit = 32
    public var passwordRegisterQueueLimit = 8

    /// How long an order waits for payment.
    public var paymentWindowSeconds = 15 * 60

    /// Shop rules (docs/OPERATIONS.md, "Shop rules"): the most units of one
    /// product a customer may hold in its cart line plus its unpaid orders.
    public var maxUnitsPerProduct = 5
    /// The most distinct products in one cart.
    public var maxCartLines = 50
    /// The most unpaid cart orders one customer may have at once.
    public var maxUnpaidOrders = 3
    /// After one of a customer's orders is cancelled or expires unpaid, its
    /// next checkout waits this long (0: no cool-down).
    public var checkoutCooldownSeconds = 5 * 60
    /// Whether this process's orchestrator is the only one on its database
    /// (``OrchestratorSettings/soleInstance``): it then leads from its start,
    /// taking the `orchestrator-leader` lease even from a live holder, and
    /// recovers every saga at once. nil (the default): yes on SQLite, no on
    /// PostgreSQL (replicas).
    public var orchestratorSoleInstance: Bool?

    /// How each gateway admits flash-sale Reserves to the owner.
    public var admission = AdmissionConfiguration()

    /// The Pix merchant in BR Codes.
    public var pixMerchantKey = "pix@bigshop.com.br"
    public var pixMerchantName = "BIGSHOP"
    public var pixMerchantCity = "SAO PAULO"

    /// Transport limits and timeouts (see docs/PROTOCOL.md and the
    /// "Transport budgets" of docs/OPERATIONS.md).
    ///
    /// The largest frame payload; nil for the default, ``defaultMaxPayloadBytes``
    /// (shop messages are a few KiB), or the protocol's 4 MiB when the
    /// conformance service is on (its cases send up to 4 MiB).
    public var maxPayloadBytes: Int?
    public var maxConcurrentStreams = 256
    public var idleTimeoutSeconds = 300.0
    public var readTimeoutSeconds = 10.0
    public var drainTimeoutSeconds = 10.0
    /// At a graceful shutdown, how long the public port keeps serving after
    /// Health turns NOT_SERVING, before GOAWAY: time for load balancers that
    /// poll Health to stop sending new calls. 0 (the default): at once.
    public var drainGraceSeconds = 0.0
    /// Time for a unary or server-streaming request to arrive whole after its HEADERS.
    public var requestTimeoutSeconds = 10.0
    /// Time for a new connection to send its first HEADERS.
    public var connectionSetupTimeoutSeconds = 5.0
    /// Request bytes the server holds for handlers, per connection (then it
    /// stops reading that connection) and in all (then RESOURCE_EXHAUSTED).
    public var maxBufferedRequestBytesPerConnection = 16 * 1024 * 1024
    public var maxBufferedRequestBytes = 256 * 1024 * 1024
    /// Connections at once, in all (lowered to what the descriptor limit
    /// allows) and per IPv4 address or IPv6 /64.
    public var maxConnections = 10_000
    public var maxConnectionsPerAddress = 500
    /// Streams open at once, in all and per IPv4 address or IPv6 /64
    /// (over either, a new stream gets RESOURCE_EXHAUSTED).
    public var maxOpenStreams = 50_000
    public var maxOpenStreamsPerAddress = 2_048
    /// Streams of one connection that may end unserved (cancelled, or
    /// refused) in 10 s before the connection is closed ("rapid reset").
    public var maxStreamChurn = 200

    /// The public port's payload limit when none is set: 64 KiB.
    public static let defaultMaxPayloadBytes = 64 * 1024

    /// The payload limit in force: ``maxPayloadBytes``, or its default.
    public var effectiveMaxPayloadBytes: Int {
        maxPayloadBytes ?? (enableConformanceService ? 4 * 1024 * 1024 : Self.defaultMaxPayloadBytes)
    }

    /// TLS 1.3 on the public port: the certificate chain (PEM, the server's
    /// certificate first) and its private key (PEM). Both or neither; without
    /// them the port serves plain text.
    public var tlsCertificatePath: String?
    public var tlsKeyPath: String?

    /// The services this process runs (`--services`): any of
    /// ``ServiceSelection/allNames``; all of them by default, in one process.
    public var services = ServiceSelection.allNames
    /// Where the internal (service-to-service) port listens.
    public var internalHost = "127.0.0.1"
    /// The internal port; nil for the default: 7071 when the process runs
    /// only some of the services, none when it runs them all or only the
    /// gateway (nothing to serve to other processes).
    public var internalPort: Int?
    /// The `host:port` other replicas reach this process's internal port at
    /// (`--internal-advertise-address`), recorded in the leases of the roles
    /// it holds (flash-sale owner, orchestrator leader) for a standby to
    /// forward to. Nil: `internalHost:port`, which must then be a concrete
    /// address, not `0.0.0.0` or `::`.
    public var internalAdvertiseAddress: String?
    /// The peers file (`--peers`): where the services this process does not
    /// run are (see ``Peers``).
    public var peersFile: String?
    /// Mutual TLS between services: this process's certificate chain (its
    /// certificate names its services as `spiffe://bigshop/<service>` URIs),
    /// its key, and the CA that signs every service's certificate. All three
    /// or none; without them internal ports listen on loopback only.
    public var internalTLSCertificatePath: String?
    public var internalTLSKeyPath: String?
    public var internalCAPath: String?

    /// Whether `host` means "every interface" (`0.0.0.0`, `::`, empty), which
    /// another process cannot connect to.
    static func isWildcard(_ host: String) -> Bool {
        ["", "0.0.0.0", "::", "[::]", "*"].contains(host)
    }

    /// Where other replicas reach this process's internal `port`.
    func internalAddressToAdvertise(port: Int) throws -> String {
        if let internalAdvertiseAddress { return internalAdvertiseAddress }
        // On SQLite one process owns each role: no replica ever forwards to it.
        guard !Self.isWildcard(internalHost) || store != .postgres else {
            throw BigShopConfigurationError(
                "the internal port listens on every interface (--internal-host \(internalHost)): give --internal-advertise-address HOST:PORT, where the other replicas reach it"
            )
        }
        return internalHost.contains(":") ? "[\(internalHost)]:\(port)" : "\(internalHost):\(port)"
    }

    /// The internal port in force: ``internalPort``, or its default.
    public var effectiveInternalPort: Int? {
        if let internalPort { return internalPort }
        guard let selection = try? serviceSelection(), !selection.isEverything, !selection.parts.isEmpty else { return nil }
        return 7071
    }

    /// The services this process runs, parsed.
    public func serviceSelection() throws(BigShopConfigurationError) -> ServiceSelection {
        try ServiceSelection(names: services)
    }

    /// The HTTP/JSON edge's port (`--http-port`), on ``host``: every public
    /// method as `POST /<package>.<Service>/<Method>` behind the same gateway
    /// checks. nil or 0: off.
    public var httpPort: Int?
    /// Origins whose pages may call the HTTP edge (CORS); `*` for any.
    public var httpAllowedOrigins: [String] = []
    /// The admin HTTP listener (`/metrics`, `/healthz`, `/readyz`): its
    /// address, loopback by default, and port; 0 turns it off (the default).
    public var adminHost = "127.0.0.1"
    public var adminPort = 0
    /// Where spans go over OTLP/HTTP (e.g. `http://127.0.0.1:4318`); nil
    /// exports nothing.
    public var otlpEndpoint: String?
    /// Of the traces that start here (calls without a `traceparent`), the
    /// fraction sampled; a call that carries one follows its caller's choice.
    public var traceSampleRatio = 0.01

    /// Fills an empty catalog with demo products (scripts/run).
    public var seedDemoCatalog = false
    /// Also serves bigrpc.testing.v1.TestService (conformance), publicly:
    /// `bigshop serve --conformance` adds it as an extra service of the
    /// ``ShopAssembly``; here it only raises the payload limit's default.
    public var enableConformanceService = false

    public init() {}

    /// Reads a JSON file; keys it leaves out keep their defaults.
    public static func load(fromJSONFile path: String) throws -> BigShopConfiguration {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        return try JSONDecoder().decode(BigShopConfiguration.self, from: data)
    }

    public init(from decoder: any Decoder) throws {
        let defaults = BigShopConfiguration()
        let container = try decoder.container(keyedBy: CodingKeys.self)
        func value<T: Decodable>(_ key: CodingKeys, _ fallback: T) throws -> T {
            try container.decodeIfPresent(T.self, forKey: key) ?? fallback
        }
        host = try value(.host, defaults.host)
        port = try value(.port, defaults.port)
        dataDirectory = try value(.dataDirectory, defaults.dataDirectory)
        store = try value(.store, defaults.store)
        postgresURL = try container.decodeIfPresent(String.self, forKey: .postgresURL)
        postgresWriterConnections = try value(.postgresWriterConnections, defaults.postgresWriterConnections)
        postgresServiceRoles = try value(.postgresServiceRoles, defaults.postgresServiceRoles)
        postgresRolePrefix = try value(.postgresRolePrefix, defaults.postgresRolePrefix)
        rateLimit = try value(.rateLimit, defaults.rateLimit)
        rateLimits = try value(.rateLimits, defaults.rateLimits)
        principalCache = try container.decodeIfPresent(Bool.self, forKey: .principalCache)
        loginPerAddressEmailBurst = try value(.loginPerAddressEmailBurst, defaults.loginPerAddressEmailBurst)
        loginPerAddressEmailPerSecond = try value(.loginPerAddressEmailPerSecond, defaults.loginPerAddressEmailPerSecond)
        sessionTTLSeconds = try value(.sessionTTLSeconds, defaults.sessionTTLSeconds)
        passwordIterations = try value(.passwordIterations, defaults.passwordIterations)
        passwordHashingThreads = try value(.passwordHashingThreads, defaults.passwordHashingThreads)
        passwordQueueLimit = try value(.passwordQueueLimit, defaults.passwordQueueLimit)
        passwordRegisterQueueLimit = try value(.passwordRegisterQueueLimit, defaults.passwordRegisterQueueLimit)
        paymentWindowSeconds = try value(.paymentWindowSeconds, defaults.paymentWindowSeconds)
        maxUnitsPerProduct = try value(.maxUnitsPerProduct, defaults.maxUnitsPerProduct)
        maxCartLines = try value(.maxCartLines, defaults.maxCartLines)
        maxUnpaidOrders = try value(.maxUnpaidOrders, defaults.maxUnpaidOrders)
        checkoutCooldownSeconds = try value(.checkoutCooldownSeconds, defaults.checkoutCooldownSeconds)
        orchestratorSoleInstance = try container.decodeIfPresent(Bool.self, forKey: .orchestratorSoleInstance)
        admission = try value(.admission, defaults.admission)
        pixMerchantKey = try value(.pixMerchantKey, defaults.pixMerchantKey)
        pixMerchantName = try value(.pixMerchantName, defaults.pixMerchantName)
        pixMerchantCity = try value(.pixMerchantCity, defaults.pixMerchantCity)
        maxPayloadBytes = try container.decodeIfPresent(Int.self, forKey: .maxPayloadBytes)
        maxConcurrentStreams = try value(.maxConcurrentStreams, defaults.maxConcurrentStreams)
        idleTimeoutSeconds = try value(.idleTimeoutSeconds, defaults.idleTimeoutSeconds)
        readTimeoutSeconds = try value(.readTimeoutSeconds, defaults.readTimeoutSeconds)
        drainTimeoutSeconds = try value(.drainTimeoutSeconds, defaults.drainTimeoutSeconds)
        drainGraceSeconds = try value(.drainGraceSeconds, defaults.drainGraceSeconds)
        tlsCertificatePath = try container.decodeIfPresent(String.self, forKey: .tlsCertificatePath)
        tlsKeyPath = try container.decodeIfPresent(String.self, forKey: .tlsKeyPath)
        requestTimeoutSeconds = try value(.requestTimeoutSeconds, defaults.requestTimeoutSeconds)
        connectionSetupTimeoutSeconds = try value(.connectionSetupTimeoutSeconds, defaults.connectionSetupTimeoutSeconds)
        maxBufferedRequestBytesPerConnection = try value(
            .maxBufferedRequestBytesPerConnection, defaults.maxBufferedRequestBytesPerConnection
        )
        maxBufferedRequestBytes = try value(.maxBufferedRequestBytes, defaults.maxBufferedRequestBytes)
        maxConnections = try value(.maxConnections, defaults.maxConnections)
        maxConnectionsPerAddress = try value(.maxConnectionsPerAddress, defaults.maxConnectionsPerAddress)
        maxOpenStreams = try value(.maxOpenStreams, defaults.maxOpenStreams)
        maxOpenStreamsPerAddress = try value(.maxOpenStreamsPerAddress, defaults.maxOpenStreamsPerAddress)
        maxStreamChurn = try value(.maxStreamChurn, defaults.maxStreamChurn)
        services = try value(.services, defaults.services)
        internalHost = try value(.internalHost, defaults.internalHost)
        internalPort = try container.decodeIfPresent(Int.self, forKey: .internalPort)
        internalAdvertiseAddress = try container.decodeIfPresent(String.self, forKey: .internalAdvertiseAddress)
        peersFile = try container.decodeIfPresent(String.self, forKey: .peersFile)
        internalTLSCertificatePath = try container.decodeIfPresent(String.self, forKey: .internalTLSCertificatePath)
        internalTLSKeyPath = try container.decodeIfPresent(String.self, forKey: .internalTLSKeyPath)
        internalCAPath = try container.decodeIfPresent(String.self, forKey: .internalCAPath)
        httpPort = try container.decodeIfPresent(Int.self, forKey: .httpPort)
        httpAllowedOrigins = try value(.httpAllowedOrigins, defaults.httpAllowedOrigins)
        adminHost = try value(.adminHost, defaults.adminHost)
        adminPort = try value(.adminPort, defaults.adminPort)
        otlpEndpoint = try container.decodeIfPresent(String.self, forKey: .otlpEndpoint)
        traceSampleRatio = try value(.traceSampleRatio, defaults.traceSampleRatio)
        seedDemoCatalog = try value(.seedDemoCatalog, defaults.seedDemoCatalog)
        enableConformanceService = try value(.enableConformanceService, defaults.enableConformanceService)
    }
}

extension BigShopConfiguration {
    /// Refuses, naming it, the first setting the shop cannot run with: a
    /// timeout that fires at once, a cap of zero, a rate limit out of range,
    /// half a TLS pair. Checked at start (``BigShopApp/open(_:)``
    /// and `bigshop serve`), so that a bad flag or config key is a clear
    /// error instead of a trap or a shop that refuses everyone.
    public func validate() throws(BigShopConfigurationError) {
        let thirtyDays = 30 * 24 * 3600
        func require(_ condition: Bool, _ problem: @autoclosure () -> String) throws(BigShopConfigurationError) {
            if !condition { throw BigShopConfigurationError(problem()) }
        }
        // Transport: timeouts are seconds, counts at least 1.
        let timeouts: [(String, Double)] = [
            ("idleTimeoutSeconds (--idle-timeout)", idleTimeoutSeconds),
            ("readTimeoutSeconds (--read-timeout)", readTimeoutSeconds),
            ("drainTimeoutSeconds (--drain-timeout)", drainTimeoutSeconds),
            ("requestTimeoutSeconds (--request-timeout)", requestTimeoutSeconds),
            ("connectionSetupTimeoutSeconds (--connection-setup-timeout)", connectionSetupTimeoutSeconds),
        ]
        for (name, seconds) in timeouts {
            try require(seconds > 0, "\(name) must be a positive number of seconds")
        }
        try require(
            drainGraceSeconds >= 0 && drainGraceSeconds <= 3600,
            "drainGraceSeconds (--drain-grace) must be between 0 and 3600 seconds"
        )
        let counts: [(String, Int)] = [
            ("maxPayloadBytes (--max-payload)", effectiveMaxPayloadBytes),
            ("maxConcurrentStreams (--max-streams)", maxConcurrentStreams),
            ("maxBufferedRequestBytes (--max-buffered-request-bytes)", maxBufferedRequestBytes),
            (
                "maxBufferedRequestBytesPerConnection (--max-buffered-request-bytes-per-connection)",
                maxBufferedRequestBytesPerConnection
            ),
            ("maxConnections (--max-connections)", maxConnections),
            ("maxConnectionsPerAddress (--max-connections-per-address)", maxConnectionsPerAddress),
            ("maxOpenStreams (--max-open-streams)", maxOpenStreams),
            ("maxOpenStreamsPerAddress (--max-open-streams-per-address)", maxOpenStreamsPerAddress),
            ("maxStreamChurn (--max-stream-churn)", maxStreamChurn),
            ("postgresWriterConnections (--postgres-writer-connections)", postgresWriterConnections),
        ]
        for (name, value) in counts {
            try require(value >= 1, "\(name) must be at least 1")
        }
        try require(
            postgresRolePrefix.utf8.count <= 40 && postgresRolePrefix.first.map { ("a"..."z").contains($0) } == true
                && postgresRolePrefix.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" },
            "postgresRolePrefix (--postgres-role-prefix) must be a lowercase letter, then lowercase letters, digits and _, at most 40 in all"
        )
        try require(
            (tlsCertificatePath == nil) == (tlsKeyPath == nil),
            "--tls-cert and --tls-key (tlsCertificatePath, tlsKeyPath) go together: give both or neither"
        )
        // The services and how they reach each other.
        _ = try serviceSelection()
        if let httpPort {
            try require((0...65535).contains(httpPort), "httpPort (--http-port) must be between 0 and 65535")
        }
        if let internalPort {
            try require((0...65535).contains(internalPort), "internalPort (--internal-port) must be between 0 and 65535")
        }
        if let internalAdvertiseAddress {
            let parts = internalAdvertiseAddress.split(separator: ":", omittingEmptySubsequences: false)
            let port = parts.count >= 2 ? Int(parts[parts.count - 1]) : nil
            try require(
                port.map { (1...65535).contains($0) } == true && !Self.isWildcard(String(parts.dropLast().joined(separator: ":"))),
                "internalAdvertiseAddress (--internal-advertise-address) must be host:port, a host other replicas can reach")
        }
        let internalTLS = [internalTLSCertificatePath, internalTLSKeyPath, internalCAPath].compactMap { $0 }.count
        try require(
            internalTLS == 0 || internalTLS == 3,
            "--internal-tls-cert, --internal-tls-key and --internal-ca go together: give all three or none"
        )
        try require(
            internalTLS == 3 || Self.isLoopback(internalHost),
            "internalHost (--internal-host) \(internalHost) is not a loopback address: an internal port on the network needs mutual TLS (--internal-tls-cert, --internal-tls-key, --internal-ca)"
        )
        try require((0...65535).contains(adminPort), "adminPort (--admin-port) must be between 0 and 65535")
        try require((0...1).contains(traceSampleRatio), "traceSampleRatio (--trace-sample-ratio) must be between 0 and 1")
        if let otlpEndpoint {
            try require(
                otlpEndpoint.hasPrefix("http://") || otlpEndpoint.hasPrefix("https://"),
                "otlpEndpoint (--otlp-endpoint) must be an http:// or https:// URL (OTLP over HTTP)")
        }
        // Shop rules.
        try require(
            (1...thirtyDays).contains(paymentWindowSeconds),
            "paymentWindowSeconds (--payment-window) must be between 1 and \(thirtyDays)"
        )
        try require(maxUnitsPerProduct >= 1, "maxUnitsPerProduct (--max-units-per-product) must be at least 1")
        try require(maxCartLines >= 1, "maxCartLines (--max-cart-lines) must be at least 1")
        try require(maxUnpaidOrders >= 1, "maxUnpaidOrders (--max-unpaid-orders) must be at least 1")
        try require(
            (0...thirtyDays).contains(checkoutCooldownSeconds),
            "checkoutCooldownSeconds (--checkout-cooldown) must be between 0 and \(thirtyDays)"
        )
        try admission.validate()
        // Rate limits, when on.
        if rateLimit {
            do {
                try rateLimits.validate()
                try RateLimits.Bucket(perSecond: loginPerAddressEmailPerSecond, burst: loginPerAddressEmailBurst)
                    .validate(name: "loginPerAddressEmail")
            } catch {
                throw BigShopConfigurationError(error.description)
            }
        }
    }
}

extension BigShopConfiguration {
    /// Whether `host` is a loopback address or name.
    static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }
}

/// A setting `bigshop serve` cannot run with.
public struct BigShopConfigurationError: Error, Sendable, CustomStringConvertible {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}
