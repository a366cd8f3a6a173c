import Hummingbird
public import Logging
import NIOCore
public import Prometheus
public import ServiceLifecycle
import Synchronization

/// The admin HTTP listener of `bigshop serve --admin-port`, for Prometheus,
/// load balancers and orchestrators that speak HTTP:
///
/// - `GET /metrics`: every metric of the process, in Prometheus text format;
/// - `GET /healthz`: 200 while the process is alive;
/// - `GET /readyz`: 200 when ``ShopReadiness`` says ready, else 503 and why.
///
/// A Hummingbird HTTP/1.1 server; as a `ServiceGroup` member it stops at
/// the graceful shutdown, so put it before the ports in the group (it is
/// stopped last, and `/readyz` answers "draining" while they drain).
public struct AdminListener: Service {
    public let host: String
    public let port: Int
    private let registry: PrometheusCollectorRegistry
    private let readiness: ShopReadiness
    private let beforeScrape: @Sendable () -> Void
    private let logger: Logger
    private let bound = BoundPort()

    /// - Parameter beforeScrape: sets the gauges read off the state at each scrape.
    public init(
        host: String, port: Int, registry: PrometheusCollectorRegistry, readiness: ShopReadiness,
        beforeScrape: @escaping @Sendable () -> Void = {}, logger: Logger
    ) {
        self.beforeScrape = beforeScrape
        self.host = host
        self.port = port
        self.registry = registry
        self.readiness = readiness
        self.logger = logger
    }

    /// The port once bound (port 0 picks a free one), else nil.
    public var boundPort: Int? { bound.port.withLock { $0 } }

    public func run() async throws {
        let router = Router()
        let registry = self.registry
        let readiness = self.readiness
        let beforeScrape = self.beforeScrape
        router.get("metrics") { _, _ -> Response in
            beforeScrape()
            var bytes: [UInt8] = []
            bytes.reserveCapacity(64 * 1024)
            registry.emit(into: &bytes)
            return Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
        }
        router.get("healthz") { _, _ -> Response in
            Response(status: .ok, headers: [.contentType: "text/plain"], body: ResponseBody(byteBuffer: ByteBuffer(string: "ok\n")))
        }
        router.get("readyz") { _, _ -> Response in
            let problems = readiness.problems()
            let text = problems.isEmpty ? "ready\n" : problems.map { "\($0)\n" }.joined()
            return Response(
                status: problems.isEmpty ? .ok : .serviceUnavailable, headers: [.contentType: "text/plain"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
        }
        let bound = self.bound
        let logger = self.logger
        let app = Application(
            router: router,
            configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: "bigshop-admin"),
            onServerRunning: { channel in
                let port = channel.localAddress?.port
                bound.port.withLock { $0 = port }
                logger.info("admin listener", metadata: ["address": "\(channel.localAddress?.description ?? "?")"])
            },
            logger: logger)
        try await app.run()
    }

    private final class BoundPort: Sendable {
        let port = Mutex<Int?>(nil)
    }
}
