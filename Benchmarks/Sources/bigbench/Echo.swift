// Comparisons 1 and 2: unary echo and server streaming, BigRPC vs grpc-swift 2 vs raw NIO.
import Foundation
import NIOCore
import NIOPosix

enum EchoSizes {
    /// Payload bytes of the small message: with its id and text, ~100 B encoded.
    static let smallPayload = 60
    static let largePayload = 4096
    /// The encoded sizes, for the raw echo's frames.
    static var smallEncoded: Int { encodedSize(payload: smallPayload) }
    static var largeEncoded: Int { encodedSize(payload: largePayload) }
    static func encodedSize(payload: Int) -> Int {
        // id (tag + varint 42) + text (tag + len + 31) + payload (tag + len varint + bytes)
        2 + 2 + 31 + 1 + (payload < 128 ? 1 : 2) + payload
    }
}

/// `serve-echo`: the three echo servers in one process, until killed.
func serveEcho(_ options: Options) async throws {
    let bigrpcPort = options.int("bigrpc-port", 17001)
    let grpcPort = options.int("grpc-port", 17002)
    let rawPort = options.int("raw-port", 17003)
    let only = options.string("only", "all")
    try await withThrowingTaskGroup(of: Void.self) { group in
        if only == "all" || only == "bigrpc" {
            let (server, rpcServer) = BigRPCEchoServer.make(port: bigrpcPort)
            group.addTask { try await server.listen(rpcServer) }
            _ = try await server.listeningAddress()
        }
        if only == "all" {
            group.addTask { try await GRPCEchoServer.serve(port: grpcPort) }
            let raw = try await RawEchoServer.start(port: rawPort)
            group.addTask { try await raw.closeFuture.get() }
        }
        writeStdout("ready\n")
        try await group.next()
    }
}

/// Waits until something accepts connections on `port`.
func waitForPort(_ port: Int, timeout: Double = 30) async throws {
    let deadline = nowNs() + UInt64(timeout * 1e9)
    while true {
        do {
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connect(host: "127.0.0.1", port: port).get()
            try await channel.close()
            return
        } catch {
            if nowNs() > deadline { throw error }
            try await Task.sleep(for: .milliseconds(100))
        }
    }
}

struct RunResult {
    var rate: Double
    var p50: Double
    var p99: Double
}

/// `echo`: comparisons 1 (unary) and 2 (server streaming) against `serve-echo`.
func echoBenchmarks(_ options: Options) async throws {
    let host = "127.0.0.1"
    let seconds = options.double("seconds", 1.0)
    let rounds = options.int("rounds", 3)
    let bigrpcPort = options.int("bigrpc-port", 17001)
    let grpcPort = options.int("grpc-port", 17002)
    let rawPort = options.int("raw-port", 17003)
    let concurrencies = options.string("concurrency", "1,16,64,256").split(separator: ",").compactMap { Int($0) }
    for port in [bigrpcPort, grpcPort, rawPort] { try await waitForPort(port) }

    let bigrpc = BigRPCEchoClient(host: host, port: bigrpcPort, connections: 4)
    let grpc = try GRPCEchoClient(host: host, port: grpcPort, connections: 4)
    let raw = try await RawEchoClient(
        host: host, port: rawPort, connections: 4,
        smallSize: EchoSizes.smallEncoded, largeSize: EchoSizes.largeEncoded
    )
    let stacks: [any EchoStack] = [bigrpc, grpc, raw]

    note("warming up")
    for stack in stacks {
        _ = try await closedLoop(workers: 16, seconds: min(1, seconds)) { w in try await stack.unary(connection: w % 4, large: false) }
    }

    // MARK: 1. Unary
    var table = Table(
        title: "1. Unary echo over loopback (medians of \(rounds) alternating rounds of \(fmt(seconds, 1)) s)",
        header: [
            "size", "calls", "conns", "BigRPC req/s", "grpc-swift req/s", "raw req/s",
            "BigRPC ÷ grpc", "BigRPC ÷ raw", "p50 µs B/g/r", "p99 µs B/g/r", "p99 B ÷ g",
        ]
    )
    for large in [false, true] {
        for concurrency in concurrencies {
            for connections in [1, 4] {
                var results: [[RunResult]] = Array(repeating: [], count: stacks.count)
                for round in 0..<rounds {
                    for offset in 0..<stacks.count {
                        let index = (round + offset) % stacks.count
                        let stack = stacks[index]
                        let (rate, latency) = try await closedLoop(workers: concurrency, seconds: seconds) { w in
                            try await stack.unary(connection: w % connections, large: large)
                        }
                        results[index].append(RunResult(rate: rate, p50: latency.percentile(50), p99: latency.percentile(99)))
                    }
                }
                let m = results.map { runs in
                    RunResult(rate: median(runs.map(\.rate)), p50: median(runs.map(\.p50)), p99: median(runs.map(\.p99)))
                }
                // Ratios are medians of per-round ratios: each round's sides ran back to back.
                let vsGRPC = median(zip(results[0], results[1]).map { $0.rate / $1.rate })
                let vsRaw = median(zip(results[0], results[2]).map { $0.rate / $1.rate })
                let p99Ratio = median(zip(results[0], results[1]).map { $0.p99 / $1.p99 })
                table.rows.append([
                    large ? "4 KiB" : "~100 B", "\(concurrency)", "\(connections)",
                    fmt(m[0].rate), fmt(m[1].rate), fmt(m[2].rate),
                    ratio(vsGRPC), ratio(vsRaw),
                    "\(fmt(m[0].p50))/\(fmt(m[1].p50))/\(fmt(m[2].p50))",
                    "\(fmt(m[0].p99))/\(fmt(m[1].p99))/\(fmt(m[2].p99))",
                    ratio(p99Ratio),
                ])
                note("unary \(large ? "4KiB" : "small") c=\(concurrency) conns=\(connections): \(table.rows.last!.joined(separator: " "))")
            }
        }
    }
    table.notes.append(
        "Ratios are medians of per-round ratios. p50/p99 are per-call latencies seen by the client (B = BigRPC, g = grpc-swift 2, r = raw NIO echo). Client and server are separate processes on the same 2 cores."
    )
    table.emit()

    // MARK: 2. Server streaming
    var streamTable = Table(
        title: "2. Server streaming: 1,000-message streams of ~100 B (medians of \(rounds) alternating rounds)",
        header: ["concurrent streams", "BigRPC msg/s", "grpc-swift msg/s", "BigRPC ÷ grpc"]
    )
    for concurrency in [1, 16] {
        var rates: [[Double]] = [[], []]
        for round in 0..<rounds {
            for offset in 0..<2 {
                let index = (round + offset) % 2
                let stack = stacks[index]
                let (rate, _) = try await closedLoop(workers: concurrency, seconds: seconds) { w in
                    let n = try await stack.stream(connection: w % 4, count: 1000)
                    precondition(n == 1000)
                }
                rates[index].append(rate * 1000)
            }
        }
        streamTable.rows.append([
            "\(concurrency)", fmt(median(rates[0])), fmt(median(rates[1])),
            ratio(median(zip(rates[0], rates[1]).map { $0 / $1 })),
        ])
    }
    streamTable.emit()

    for stack in stacks { await stack.close() }
}

/// `load --stack bigrpc|grpc|raw --port P --concurrency C --seconds S [--large]`:
/// one stack alone, for profiling its server or client.
func loadOnly(_ options: Options) async throws {
    let port = options.int("port", 17001)
    let concurrency = options.int("concurrency", 64)
    let connections = options.int("connections", 1)
    let large = options.has("large")
    let stack: any EchoStack
    switch options.string("stack", "bigrpc") {
    case "grpc": stack = try GRPCEchoClient(host: "127.0.0.1", port: port, connections: connections)
    case "raw":
        stack = try await RawEchoClient(
            host: "127.0.0.1", port: port, connections: connections,
            smallSize: EchoSizes.smallEncoded, largeSize: EchoSizes.largeEncoded)
    default: stack = BigRPCEchoClient(host: "127.0.0.1", port: port, connections: connections)
    }
    let serverPID = Int32(options.int("server-pid", 0))
    let seconds = options.double("seconds", 5)
    let m0 = mallocs()
    let (client0, server0) = (ownCPUSeconds(), cpuSeconds(pid: serverPID))
    let (rate, latency) = try await closedLoop(workers: concurrency, seconds: seconds) { w in
        try await stack.unary(connection: w % connections, large: large)
    }
    let calls = rate * seconds
    let clientCPU = (ownCPUSeconds() - client0) / calls * 1e6
    let serverCPU = serverPID == 0 ? Double.nan : (cpuSeconds(pid: serverPID) - server0) / calls * 1e6
    note(
        "\(stack.name): \(fmt(rate)) req/s, p50 \(fmt(latency.percentile(50))) µs, p99 \(fmt(latency.percentile(99))) µs, \(fmt(Double(mallocs() - m0) / calls, 1)) client allocs/call, cpu \(fmt(clientCPU + serverCPU, 1)) µs/call (client \(fmt(clientCPU, 1)), server \(fmt(serverCPU, 1)))"
    )
    await stack.close()
}
