// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "BigShop",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "BigRPCCodec", targets: ["BigRPCCodec"]),
        .library(name: "BigRPC", targets: ["BigRPC"]),
        .library(name: "BigRPCNIO", targets: ["BigRPCNIO"]),
        .library(name: "BigRPCTLS", targets: ["BigRPCTLS"]),
        .library(name: "BigRPCStandardServices", targets: ["BigRPCStandardServices"]),
        .library(name: "BigRPCInterop", targets: ["BigRPCInterop", "BigRPCTestingProtos"]),
        .executable(name: "protoc-gen-bigrpc", targets: ["protoc-gen-bigrpc"]),
        .executable(name: "bigrpc-interop", targets: ["bigrpc-interop"]),
        .executable(name: "bigshop", targets: ["bigshop"]),
        .executable(name: "bigprobe", targets: ["bigprobe"]),
        .library(
            name: "BigShopClient",
            targets: [
                "BigShopClient", "BigShopAuthAPI", "BigShopCatalogAPI", "BigShopOrdersAPI", "BigShopPaymentsAPI",
                "BigShopHistoryAPI", "BigShopFlashSaleAPI", "BigRPCTLS",
            ]
        ),
        // The shop's pieces, for embedding and for the Benchmarks package.
        .library(name: "BigShopServer", targets: ["BigShopServer"]),
        .library(name: "BigShopStore", targets: ["BigShopStore"]),
        .library(name: "FlashSaleRing", targets: ["FlashSaleRing"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        // The PostgreSQL engine of BigShopStore (replicas); SQLite stays the embedded default.
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        // Observability: the ecosystem's APIs (light), and their backends for the server only.
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-distributed-tracing", from: "1.7.3"),
        .package(url: "https://github.com/apple/swift-service-context", from: "1.5.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),  // also the HTTP edge (BigRPCHTTP)
        // OTLP over HTTP only: the gRPC exporter would add grpc-swift to every build.
        .package(url: "https://github.com/swift-otel/swift-otel", from: "1.6.0", traits: ["OTLPHTTP"]),
    ],
    targets: [
        // MARK: protobuf-c and its generated C
        .systemLibrary(
            name: "CProtobufC",
            pkgConfig: "libprotobuf-c",
            providers: [.apt(["libprotobuf-c-dev"])]
        ),

        // MARK: Codec: the one Swift module that touches protobuf-c memory
        .target(name: "BigRPCCodec", dependencies: ["CProtobufC"]),

        // MARK: BigRPC core: API types, router, server and client; no NIO
        .target(
            name: "BigRPC",
            dependencies: ["BigRPCCodec", .product(name: "Logging", package: "swift-log")]
        ),

        // MARK: Generated code for the protocol's own protos (scripts/generate)
        .target(name: "CBigRPCProtos", dependencies: ["CProtobufC"]),
        .target(name: "BigRPCProtos", dependencies: ["BigRPC", "BigRPCCodec", "CBigRPCProtos"]),
        .target(name: "CBigRPCTestingProtos", dependencies: ["CProtobufC"]),
        .target(name: "BigRPCTestingProtos", dependencies: ["BigRPC", "BigRPCCodec", "CBigRPCTestingProtos"]),

        // MARK: Generated code for the shop's API (scripts/generate)
        .target(name: "CWellKnownProtos", dependencies: ["CProtobufC"]),
        .target(name: "WellKnownProtos", dependencies: ["BigRPCCodec", "CWellKnownProtos"]),
        .target(name: "CBigShopProtos", dependencies: ["CProtobufC", "CWellKnownProtos"]),
        shopAPI("BigShopAuthAPI"),
        shopAPI("BigShopCatalogAPI", ["WellKnownProtos"]),
        shopAPI("BigShopOrdersAPI"),
        shopAPI("BigShopPaymentsAPI"),
        shopAPI("BigShopHistoryAPI", ["BigShopOrdersAPI"]),
        shopAPI("BigShopFlashSaleAPI"),
        shopAPI("BigShopOrchestratorAPI", ["BigShopOrdersAPI"]),

        // MARK: Storage: SQLite through a thin C-interop wrapper
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .target(
            name: "BigShopStore",
            dependencies: [
                "CSQLite", "DedicatedThread", .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(name: "store-crash-helper", dependencies: ["BigShopStore"]),

        // MARK: What every shop service shares: caller identity, clock, ids, pages
        .target(
            name: "BigShopServiceKit",
            dependencies: [
                "BigRPC", "BigRPCCodec", "BigShopStore",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ]
        ),

        // MARK: Shop services: one target each
        .target(
            name: "BigShopAuth",
            dependencies: [
                "BigRPC", "BigShopAuthAPI", "BigShopServiceKit", "BigShopStore", "DedicatedThread",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .target(
            name: "BigShopCatalog",
            dependencies: [
                "BigRPC", "BigShopCatalogAPI", "WellKnownProtos", "BigShopServiceKit", "BigShopStore",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),

        .target(
            name: "BigShopOrders",
            dependencies: [
                "BigRPC", "BigShopOrdersAPI", "BigShopCatalogAPI", "BigShopOrchestratorAPI",
                "BigShopServiceKit", "BigShopStore", .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .target(
            name: "BigShopHistory",
            dependencies: [
                "BigRPC", "BigShopHistoryAPI", "BigShopOrdersAPI", "BigShopServiceKit",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "BigShopPayments",
            dependencies: [
                "BigRPC", "BigShopPaymentsAPI", "BigShopOrdersAPI", "BigShopOrchestratorAPI",
                "PaymentRules", "BigShopServiceKit", "BigShopStore", .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .target(
            name: "BigShopOrchestrator",
            dependencies: [
                "BigRPC", "BigRPCCodec", "BigShopOrchestratorAPI", "BigShopOrdersAPI", "BigShopCatalogAPI",
                "BigShopPaymentsAPI", "BigShopFlashSaleAPI", "BigShopServiceKit", "BigShopStore",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),

        .target(
            name: "BigShopFlashSale",
            dependencies: [
                "BigRPC", "BigShopFlashSaleAPI", "BigShopCatalogAPI", "BigShopOrchestratorAPI", "BigShopOrdersAPI",
                "FlashSaleRing", "BigShopServiceKit", "BigShopStore",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),

        // MARK: The gateway: authentication, roles and rate limits before any service
        .target(
            name: "BigShopGateway",
            dependencies: [
                "BigRPC", "BigShopServiceKit", "BigShopAuthAPI", "BigShopCatalogAPI", "BigShopOrdersAPI",
                "BigShopPaymentsAPI", "BigShopHistoryAPI", "BigShopFlashSaleAPI",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),

        // MARK: The server: every service behind one port, and its executable
        .target(
            name: "BigShopServer",
            dependencies: [
                "BigRPC", "BigRPCNIO", "BigRPCTLS", "BigRPCStandardServices", "BigRPCHTTP", "BigShopServiceKit",
                "BigShopGateway", "BigShopAuth", "BigShopCatalog", "BigShopOrders", "BigShopHistory", "BigShopPayments", "BigShopOrchestrator",
                "BigShopFlashSale",
                "BigShopAuthAPI", "BigShopCatalogAPI", "BigShopOrdersAPI", "BigShopPaymentsAPI", "BigShopFlashSaleAPI",
                "BigShopOrchestratorAPI", "BigShopHistoryAPI", "BigRPCMetrics", "BigRPCTracing",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "OTel", package: "swift-otel"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            resources: [.copy("Storefront")]
        ),
        .executableTarget(
            name: "bigshop",
            dependencies: [
                "BigShopServer", "BigRPCInterop", "BigRPCTestingProtos",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),

        // MARK: Clients: the JSON mapping, bigprobe, and the Swift client library
        .target(name: "ProtoJSON", dependencies: ["BigRPCCodec"]),
        .executableTarget(
            name: "bigprobe",
            dependencies: [
                "BigRPC", "BigRPCCodec", "BigRPCNIO", "BigRPCTLS", "ProtoJSON", "BigRPCProtos",
                // `bigprobe rehearse` speaks the shop's own API.
                "BigShopAuthAPI", "BigShopFlashSaleAPI", "BigShopPaymentsAPI",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "BigShopClient",
            dependencies: [
                "BigRPC", "BigRPCNIO", "BigRPCTLS", "BigRPCProtos", "BigShopAuthAPI", "BigShopCatalogAPI", "BigShopOrdersAPI",
                "BigShopPaymentsAPI", "BigShopHistoryAPI", "BigShopFlashSaleAPI",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "bigshop-example",
            dependencies: [
                "BigShopClient", "BigShopAuthAPI", "BigShopCatalogAPI", "BigShopHistoryAPI", "BigShopOrdersAPI", "BigShopPaymentsAPI",
            ],
            path: "Examples/BigShopExample"
        ),

        // MARK: Shop building blocks with no RPC in them
        .target(name: "FlashSaleRing"),
        .target(name: "PaymentRules"),
        .target(name: "DedicatedThread"),

        // MARK: Services on every server: health and reflection
        .target(name: "BigRPCStandardServices", dependencies: ["BigRPC", "BigRPCCodec", "BigRPCProtos"]),

        // MARK: Transport: the wire protocol on SwiftNIO
        .target(
            name: "BigRPCNIO",
            dependencies: [
                "BigRPC", "BigRPCCodec", "BigRPCProtos",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // MARK: HTTP/JSON in front of any RPCServer (Hummingbird); not a dependency of the core
        .target(
            name: "BigRPCHTTP",
            dependencies: [
                "BigRPC", "BigRPCCodec", "ProtoJSON",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),

        // MARK: Observability for any BigRPC user: metrics interceptors (swift-metrics)
        // and W3C trace context propagation (swift-distributed-tracing)
        .target(
            name: "BigRPCMetrics",
            dependencies: ["BigRPC", "BigRPCNIO", .product(name: "Metrics", package: "swift-metrics")]
        ),
        .target(
            name: "BigRPCTracing",
            dependencies: [
                "BigRPC", .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "ServiceContextModule", package: "swift-service-context"),
            ]
        ),

        // MARK: TLS for the transport: swift-nio-ssl behind BigRPCNIO's connection-security hook
        .target(
            name: "BigRPCTLS",
            dependencies: [
                "BigRPC", "BigRPCNIO", "BigRPCProtos",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // MARK: Conformance: the interop service and its cases
        .target(
            name: "BigRPCInterop",
            dependencies: ["BigRPC", "BigRPCTestingProtos", .product(name: "Logging", package: "swift-log")]
        ),

        .executableTarget(
            name: "bigrpc-interop",
            dependencies: [
                "BigRPC", "BigRPCInterop", "BigRPCNIO", "BigRPCStandardServices",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),

        // MARK: Codegen: protoc-gen-bigrpc, generated by itself
        .target(
            name: "CProtocPluginProtos",
            dependencies: ["CProtobufC"],
            path: "Codegen/Sources/CProtocPluginProtos"
        ),
        .target(
            name: "ProtocPluginProtos",
            dependencies: ["BigRPCCodec", "CProtocPluginProtos"],
            path: "Codegen/Sources/ProtocPluginProtos"
        ),
        .target(
            name: "BigRPCGenerator",
            dependencies: ["ProtocPluginProtos"],
            path: "Codegen/Sources/BigRPCGenerator"
        ),
        .executableTarget(
            name: "protoc-gen-bigrpc",
            dependencies: ["BigRPCGenerator"],
            path: "Codegen/Sources/protoc-gen-bigrpc"
        ),

        // MARK: Fuzzing: libFuzzer harnesses (scripts/fuzz); a plain build replays inputs
        // The fuzz oracles, shared by bigrpc-fuzz and the tests that replay its findings.
        .target(
            name: "BigRPCFuzzOracles",
            dependencies: [
                "BigRPCCodec", "BigRPCTestingProtos", "BigRPC", "BigRPCNIO",
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Fuzz/Sources/BigRPCFuzzOracles"
        ),
        .executableTarget(
            name: "bigrpc-fuzz",
            dependencies: ["BigRPCFuzzOracles"],
            path: "Fuzz/Sources/bigrpc-fuzz"
        ),

        // MARK: Tests
        .target(
            name: "BigShopServerTestSupport",
            dependencies: [
                "BigShopServer", "BigShopTestSupport", "BigRPC", "BigRPCNIO", "BigRPCInterop", "BigRPCTestingProtos", "BigShopServiceKit",
                "BigShopAuthAPI", "BigShopCatalogAPI", "BigShopOrdersAPI", "BigShopPaymentsAPI", "BigShopHistoryAPI",
                "BigShopFlashSaleAPI",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Tests/BigShopServerTestSupport"
        ),
        .target(name: "SeededRandom", path: "Tests/SeededRandom"),
        .target(name: "TLSTestSupport", dependencies: ["ChildProcess"], path: "Tests/TLSTestSupport"),
        .target(name: "ChildProcess", dependencies: ["DedicatedThread"], path: "Tests/ChildProcess"),
        .target(
            name: "BigShopTestSupport",
            dependencies: ["BigRPC", "BigShopServiceKit", .product(name: "Logging", package: "swift-log")],
            path: "Tests/BigShopTestSupport"
        ),
        .testTarget(name: "FlashSaleRingTests", dependencies: ["FlashSaleRing", "SeededRandom"]),
        .testTarget(
            name: "ProtoJSONTests",
            dependencies: ["ProtoJSON", "BigRPCCodec", "BigRPCTestingProtos", "WellKnownProtos", "BigShopCatalogAPI"],
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "BigProbeTests",
            dependencies: [
                "BigShopServerTestSupport", "bigprobe", "bigrpc-interop", "BigRPCTestingProtos", "TLSTestSupport", "ChildProcess",
                "BigShopServer", "BigShopFlashSale", "BigShopFlashSaleAPI",
            ]),
        .testTarget(
            name: "BigShopClientTests",
            dependencies: [
                "BigShopServerTestSupport", "BigShopClient", "bigshop-example", "BigShopServer", "BigRPC", "BigRPCTestingProtos", "BigShopAuthAPI",
                "BigRPCTLS", "TLSTestSupport", "ChildProcess",
                "BigShopCatalogAPI", "BigShopOrdersAPI",
            ]
        ),
        .testTarget(
            name: "BigShopCrashTests",
            dependencies: [
                "bigshop", "BigShopServerTestSupport", "BigRPC", "BigRPCNIO", "BigRPCProtos", "BigShopStore", "BigShopCatalogAPI",
                "BigShopOrdersAPI", "BigShopPaymentsAPI", "BigShopFlashSaleAPI", "BigRPCTLS", "TLSTestSupport",
                "ChildProcess", "BigShopAuthAPI", "BigShopHistoryAPI", "BigShopServiceKit", "BigShopTestSupport",
            ]
        ),
        .testTarget(name: "BigShopServiceKitTests", dependencies: ["BigRPC", "BigShopServiceKit", "BigShopStore", "BigShopTestSupport"]),
        .testTarget(
            name: "BigShopAuthTests",
            dependencies: [
                "BigShopTestSupport", "BigShopAuth", "BigShopAuthAPI", "BigShopServiceKit", "BigRPC",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "BigShopOrdersTests",
            dependencies: [
                "BigRPC", "BigShopCatalogAPI", "BigShopHistoryAPI", "BigShopOrchestratorAPI", "BigShopOrders", "BigShopOrdersAPI", "BigShopServer",
                "BigShopServerTestSupport", "BigShopServiceKit", "BigShopTestSupport",
            ]),
        .testTarget(
            name: "BigShopHistoryTests",
            dependencies: [
                "BigRPC", "BigShopHistoryAPI", "BigShopOrders", "BigShopOrdersAPI", "BigShopServer", "BigShopServerTestSupport", "BigShopServiceKit",
                "BigShopTestSupport",
            ]),
        .testTarget(
            name: "BigShopPaymentsTests",
            dependencies: [
                "BigRPC", "BigShopCatalogAPI", "BigShopOrdersAPI", "BigShopPayments", "BigShopPaymentsAPI", "BigShopServer", "BigShopServerTestSupport",
                "BigShopServiceKit", "BigShopStore", "BigShopTestSupport", "PaymentRules",
            ]),
        .testTarget(
            name: "BigShopOrchestratorTests",
            dependencies: [
                "BigRPC", "BigShopCatalogAPI", "BigShopFlashSaleAPI", "BigShopOrchestrator", "BigShopOrchestratorAPI", "BigShopOrdersAPI", "BigShopPayments",
                "BigShopPaymentsAPI", "BigShopServer", "BigShopServerTestSupport", "BigShopServiceKit", "BigShopStore", "BigShopTestSupport", "PaymentRules",
                "SeededRandom",
            ]),
        .testTarget(
            name: "BigShopServerTests",
            dependencies: [
                "BigShopServerTestSupport", "BigShopTestSupport", "BigShopServer", "BigRPC", "BigRPCNIO", "BigShopServiceKit", "BigShopAuthAPI",
                "BigShopCatalogAPI",
                "BigShopOrdersAPI", "BigShopPaymentsAPI", "BigShopHistoryAPI", "BigShopFlashSaleAPI", "WellKnownProtos",
                "PaymentRules", "BigShopGateway", "BigRPCStandardServices", "BigRPCProtos", "BigRPCTLS", "TLSTestSupport",
                "ChildProcess",
                "BigRPCTracing", "BigRPCMetrics", .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "InMemoryTracing", package: "swift-distributed-tracing"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
            ]
        ),
        .testTarget(
            name: "BigShopCatalogTests",
            dependencies: [
                "BigShopCatalog", "BigShopCatalogAPI", "WellKnownProtos", "BigShopServiceKit", "BigShopStore", "BigRPC",
                "BigShopServer", "BigShopServerTestSupport", "BigShopTestSupport", "SeededRandom",
            ]
        ),
        .testTarget(
            name: "BigShopStoreTests",
            dependencies: ["BigShopTestSupport", "BigShopStore", "CSQLite", "store-crash-helper", "ChildProcess", "TLSTestSupport"]),
        .testTarget(name: "BigShopFlashSaleTests", dependencies: ["BigShopFlashSale"]),
        .testTarget(name: "PaymentRulesTests", dependencies: ["PaymentRules", "SeededRandom"]),
        .testTarget(
            name: "BigRPCGeneratorTests",
            dependencies: ["BigRPCGenerator", "ProtocPluginProtos"],
            path: "Codegen/Tests/BigRPCGeneratorTests",
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "BigRPCCodecTests",
            dependencies: [
                "BigRPCCodec", "BigRPCTestingProtos", "BigRPCFuzzOracles", "SeededRandom", "BigShopAuthAPI", "BigShopCatalogAPI",
                "BigShopFlashSaleAPI", "BigShopHistoryAPI", "BigShopOrdersAPI", "BigShopPaymentsAPI",
            ],
            exclude: ["Fixtures"]
        ),
        .testTarget(name: "BigRPCTests", dependencies: ["BigRPC", "BigRPCCodec", "BigRPCTestingProtos"]),
        .testTarget(
            name: "BigRPCNIOTests",
            dependencies: [
                "BigRPCNIO", "BigRPC", "BigRPCProtos", "BigRPCStandardServices", "BigRPCCodec", "BigRPCTestingProtos",
                "BigRPCFuzzOracles",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "BigRPCTLSTests",
            dependencies: [
                "BigRPCTLS", "BigRPCNIO", "BigRPC", "BigRPCProtos", "BigRPCStandardServices", "TLSTestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "BigRPCMetricsTests",
            dependencies: [
                "BigRPCMetrics", "BigRPCTracing", "BigRPC", "BigRPCNIO", "BigRPCTestingProtos", "BigRPCInterop",
                .product(name: "MetricsTestKit", package: "swift-metrics"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "InMemoryTracing", package: "swift-distributed-tracing"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .testTarget(name: "BigRPCInteropTests", dependencies: ["BigRPCInterop", "BigRPC", "BigRPCCodec", "BigRPCNIO", "BigRPCTestingProtos"]),
    ],
    swiftLanguageModes: [.v6]
)

/// A target of generated Swift for one `bigshop.<service>.v1` package.
func shopAPI(_ name: String, _ imports: [Target.Dependency] = []) -> Target {
    .target(name: name, dependencies: ["BigRPC", "BigRPCCodec", "CBigShopProtos"] + imports)
}
