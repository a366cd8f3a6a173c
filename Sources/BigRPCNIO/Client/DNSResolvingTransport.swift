public import BigRPC
import Dispatch
public import Logging
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A ``ClientTransport`` to every address a DNS name resolves to, resolved
/// again every ``refreshInterval``: a service whose replicas come and go
/// behind one name (a headless Kubernetes service, a DNS round robin).
///
/// Calls are balanced over the addresses by a ``LoadBalancingTransport``
/// (one ``BigRPCClientTransport`` each). When the name's addresses change,
/// new ones get a connection of their own and those gone stop getting calls;
/// their connections close after ``retiredGrace``, so calls in flight on
/// them can finish. A failed lookup keeps the last addresses.
public final class DNSResolvingTransport: ClientTransport {
    /// Looks up a name's addresses (numeric, IPv4 or IPv6), in any order.
    public typealias Resolver = @Sendable (_ name: String) async throws -> [String]

    public let name: String
    public let port: Int
    /// How often the name is looked up again.
    public let refreshInterval: Duration
    /// How long a connection to an address no longer listed stays open.
    public let retiredGrace: Duration

    private struct Current {
        var addresses: [String] = []
        var transports: [String: BigRPCClientTransport] = [:]
        var balancer: LoadBalancingTransport?
    }

    private let configuration: BigRPCClientTransport.Configuration
    private let resolver: Resolver
    private let logger: Logger
    private let current = Mutex(Current())

    public init(
        name: String,
        port: Int,
        configuration: BigRPCClientTransport.Configuration = .init(),
        refreshInterval: Duration = .seconds(30),
        retiredGrace: Duration = .seconds(30),
        logger: Logger = Logger(label: "bigrpc.dns"),
        resolver: @escaping Resolver = DNSResolvingTransport.systemResolver
    ) {
        self.name = name
        self.port = port
        self.configuration = configuration
        self.refreshInterval = refreshInterval
        self.retiredGrace = retiredGrace
        self.logger = logger
        self.resolver = resolver
    }

    /// The addresses calls go to now, sorted.
    public var addresses: [String] { current.withLock { $0.addresses } }

    public func withStream<Result: Sendable>(
        method: MethodDescriptor,
        metadata: Metadata,
        options: CallOptions,
        _ body: (ClientStream) async throws -> Result
    ) async throws -> Result {
        var balancer = current.withLock { $0.balancer }
        if balancer == nil {
            try? await refresh()
            balancer = current.withLock { $0.balancer }
        }
        guard let balancer else {
            var error = RPCError(.unavailable, "\(name) resolves to no address")
            error.callWasNotProcessed = true
            throw error
        }
        return try await balancer.withStream(method: method, metadata: metadata, options: options, body)
    }

    /// Looks the name up now and moves calls to the addresses found.
    public func refresh() async throws {
        let found = Array(Set(try await resolver(name))).sorted()
        guard !found.isEmpty else { throw RPCError(.unavailable, "\(name) resolves to no address") }
        let retired: [BigRPCClientTransport]? = current.withLock { current in
            guard found != current.addresses else { return nil }
            var kept: [String: BigRPCClientTransport] = [:]
            for address in found {
                kept[address] =
                    current.transports[address]
                    ?? BigRPCClientTransport(host: address, port: port, configuration: configuration, logger: logger)
            }
            let retired = current.transports.filter { kept[$0.key] == nil }.map(\.value)
            current = Current(addresses: found, transports: kept, balancer: LoadBalancingTransport(endpoints: found.compactMap { kept[$0] }))
            return retired
        }
        guard let retired else { return }
        logger.info("addresses changed", metadata: ["name": "\(name)", "addresses": "\(found.joined(separator: ","))"])
        guard !retired.isEmpty else { return }
        let grace = retiredGrace
        Task {
            try? await Task.sleep(for: grace)
            for transport in retired { await transport.close() }
        }
    }

    /// Refreshes every ``refreshInterval`` until the task is cancelled, then
    /// closes every connection.
    public func run() async {
        while !Task.isCancelled {
            do {
                try await refresh()
            } catch {
                logger.warning("lookup failed; keeping the last addresses", metadata: ["name": "\(name)", "error": "\(error)"])
            }
            try? await Task.sleep(for: refreshInterval)
        }
        await close()
    }

    /// Closes every connection; later calls open new ones.
    public func close() async {
        let transports = current.withLock { current in
            defer { current = Current() }
            return Array(current.transports.values)
        }
        for transport in transports { await transport.close() }
    }

    /// The system's resolver (`getaddrinfo`), run off the caller's thread.
    public static let systemResolver: Resolver = { name in
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try lookUp(name) })
            }
        }
    }

    private static func lookUp(_ name: String) throws -> [String] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
            hints.ai_socktype = SOCK_STREAM
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(name, nil, &hints, &list)
        guard status == 0, let list else {
            throw RPCError(.unavailable, "cannot resolve \(name): \(String(cString: gai_strerror(status)))")
        }
        defer { freeaddrinfo(list) }
        var addresses: [String] = []
        var entry: UnsafeMutablePointer<addrinfo>? = list
        while let info = entry?.pointee {
            var host = [CChar](repeating: 0, count: Int(NI_MAXHOST))
            if let address = info.ai_addr,
                getnameinfo(address, info.ai_addrlen, &host, socklen_t(host.count), nil, 0, NI_NUMERICHOST) == 0
            {
                addresses.append(String(decoding: host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
            }
            entry = info.ai_next
        }
        return addresses
    }
}
