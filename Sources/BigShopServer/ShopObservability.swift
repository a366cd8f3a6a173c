public import Logging
import Metrics
import OTel
public import Prometheus
public import ServiceLifecycle
import Tracing

/// The process's metrics and tracing backends, bootstrapped once by
/// `bigshop serve` before the shop opens:
///
/// - swift-metrics into a Prometheus registry (swift-prometheus), which the
///   admin listener's `/metrics` shows, only when the listener is on
///   (``BigShopConfiguration/adminPort`` not 0): otherwise nothing could
///   read them, and swift-metrics' no-op handlers cost next to nothing;
/// - swift-distributed-tracing into swift-otel's tracer, exporting spans
///   over OTLP/HTTP, only when ``BigShopConfiguration/otlpEndpoint`` is
///   set (otherwise the no-op tracer: nothing recorded, nothing sent).
public struct ShopObservability: Sendable {
    /// What `/metrics` shows.
    public let registry: PrometheusCollectorRegistry
    /// The exporter's background work, to run in the `ServiceGroup` before
    /// the shop's services (so it stops last and flushes the last spans).
    public let services: [any Service]

    /// Bootstraps the process-wide `MetricsSystem` (with an admin port) and,
    /// with an OTLP endpoint, `InstrumentationSystem`. Call once per process.
    public static func bootstrap(_ configuration: BigShopConfiguration, logger: Logger) throws -> ShopObservability {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = ShopObservability.latencyBuckets
        if configuration.adminPort != 0 { MetricsSystem.bootstrap(factory) }
        var services: [any Service] = []
        if let endpoint = configuration.otlpEndpoint {
            var otel = OTel.Configuration.default
            otel.serviceName = "bigshop"
            otel.logs.enabled = false
            otel.metrics.enabled = false
            otel.traces.exporter = .otlp
            otel.traces.otlpExporter.protocol = .httpProtobuf
            otel.traces.otlpExporter.endpoint = endpoint.hasSuffix("/v1/traces") ? endpoint : endpoint + "/v1/traces"
            // Roots are sampled by ServerTracingInterceptor(rootSampleRatio:)
            // before any span is started; the tracer follows the parent.
            otel.traces.sampler = .parentBasedAlwaysOn
            otel.diagnosticLogger = .custom(logger)
            let (tracer, service) = try OTel.makeTracingBackend(configuration: otel)
            InstrumentationSystem.bootstrap(tracer)
            services.append(service)
            logger.info("tracing: exporting spans over OTLP/HTTP", metadata: ["endpoint": "\(endpoint)", "sample-ratio": "\(configuration.traceSampleRatio)"])
        }
        return ShopObservability(registry: registry, services: services)
    }

    /// Latency buckets, from 100 µs (an in-process call) to 10 s (a deadline).
    public static let latencyBuckets: [Duration] = [
        .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2.5), .milliseconds(5),
        .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
        .seconds(1), .seconds(2.5), .seconds(5), .seconds(10),
    ]
}
