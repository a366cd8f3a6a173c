// swift-tools-version:6.0
// BigRPC against grpc-swift 2, swift-protobuf, raw SwiftNIO and raw protobuf-c, plus the
// flash-sale load tests. A separate package: the main build and CI never build it.
// Run it with `Benchmarks/run [--quick]` (see README.md).
import Foundation
import PackageDescription

// A path dependency is known by its directory's name, whatever the clone is called.
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().lastPathComponent

let package = Package(
    name: "BigShopBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: ".."),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
        .package(url: "https://github.com/grpc/grpc-swift-2", from: "2.4.3"),
        .package(url: "https://github.com/grpc/grpc-swift-nio-transport", from: "2.9.2"),
        .package(url: "https://github.com/grpc/grpc-swift-protobuf", from: "2.4.1"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        // protoc-c output for proto/bench/v1 (committed; see README.md)
        .target(name: "CBenchProtos", linkerSettings: [.linkedLibrary("protobuf-c")]),
        // protoc-gen-bigrpc output (committed)
        .target(
            name: "BenchProtos",
            dependencies: [
                "CBenchProtos",
                .product(name: "BigRPC", package: root),
                .product(name: "BigRPCCodec", package: root),
            ]
        ),
        // protoc-gen-swift and protoc-gen-grpc-swift-2 output (committed)
        .target(
            name: "BenchSwiftProtobuf",
            dependencies: [
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
            ]
        ),
        // protobuf-c called from C directly: the codec's limit
        .target(name: "CRawCodec", dependencies: ["CBenchProtos"]),
        // counts malloc/calloc/realloc/memalign calls of the whole process
        .target(name: "CMallocCounter"),
        .systemLibrary(name: "CSQLite3Bench", pkgConfig: "sqlite3"),
        .executableTarget(
            name: "bigbench",
            dependencies: [
                "BenchProtos", "BenchSwiftProtobuf", "CRawCodec", "CMallocCounter", "CSQLite3Bench",
                .product(name: "BigRPC", package: root),
                .product(name: "BigRPCCodec", package: root),
                .product(name: "BigRPCNIO", package: root),
                .product(name: "BigShopClient", package: root),
                .product(name: "BigShopStore", package: root),
                .product(name: "FlashSaleRing", package: root),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2Posix", package: "grpc-swift-nio-transport"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // checkouts, granted Reserves and drops against a running shop, and
        // Redis + Lua driven by the same loop (Benchmarks/storage-engines,
        // shop-ab-compare, run --only redis): BigShopClient and NIO only, so
        // it builds without grpc-swift
        .executableTarget(
            name: "shopbench",
            dependencies: [
                .product(name: "BigShopClient", package: root),
                .product(name: "BigRPC", package: root),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
