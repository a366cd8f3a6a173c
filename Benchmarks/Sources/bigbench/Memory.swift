// Comparison 4: server memory with idle connections, and heap allocations per call.
import Foundation
import NIOCore
import NIOPosix

/// Reads the PING ACK (24 bytes) the server sends back.
final class PingAckHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    private let done: EventLoopPromise<Void>
    private var received = 0

    init(done: EventLoopPromise<Void>) { self.done = done }

    func channelActive(context: ChannelHandlerContext) {
        var ping = context.channel.allocator.buffer(capacity: 18)
        ping.writeInteger(UInt32(14))  // length: 6 + 8
        ping.writeInteger(UInt8(0x05))  // PING
        ping.writeInteger(UInt8(0))
        ping.writeInteger(UInt32(0))
        ping.writeInteger(UInt64(0x0102_0304_0506_0708))
        context.writeAndFlush(NIOAny(ping), promise: nil)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        received += unwrapInboundIn(data).readableBytes
        if received >= 18 { done.succeed() }
    }

    func channelInactive(context: ChannelHandlerContext) {
        done.fail(ChannelError.ioOnClosedChannel)
        context.fireChannelInactive()
    }
}

/// `idle`: opens `--connections` BigRPC connections (each answers one PING, so
/// the server has set the connection up) and reports the server's RSS.
func idleConnections(_ options: Options) async throws {
    let port = options.int("port", 17011)
    let pid = Int32(options.int("server-pid", 0))
    let target = options.int("connections", 10_000)
    try await waitForPort(port)
    try await Task.sleep(for: .milliseconds(300))
    let before = residentBytes(pid: pid)
    var channels: [any Channel] = []
    channels.reserveCapacity(target)
    let start = nowNs()
    var opened = 0
    while opened < target {
        let batch = min(200, target - opened)
        let newOnes = try await withThrowingTaskGroup(of: (any Channel).self) { group in
            for _ in 0..<batch {
                group.addTask {
                    let loop = MultiThreadedEventLoopGroup.singleton.next()
                    let done = loop.makePromise(of: Void.self)
                    let channel = try await ClientBootstrap(group: loop)
                        .channelInitializer { channel in
                            channel.eventLoop.makeCompletedFuture {
                                try channel.pipeline.syncOperations.addHandler(PingAckHandler(done: done))
                            }
                        }
                        .connect(host: "127.0.0.1", port: port)
                        .get()
                    try await done.futureResult.get()
                    return channel
                }
            }
            var result: [any Channel] = []
            for try await channel in group { result.append(channel) }
            return result
        }
        channels.append(contentsOf: newOnes)
        opened += batch
    }
    let openSeconds = Double(nowNs() - start) / 1e9
    try await Task.sleep(for: .seconds(1))
    let after = residentBytes(pid: pid)
    var table = Table(
        title: "4a. BigRPC server memory with idle connections",
        header: ["connections", "server RSS before", "server RSS with them open", "per connection", "goal ≤ 200 MiB"]
    )
    table.rows.append([
        "\(channels.count)", mib(before), mib(after),
        String(format: "%.1f KiB", Double(after - before) / Double(channels.count) / 1024),
        after <= 200 * 1_048_576 ? "met" : "NOT met",
    ])
    table.notes.append("Each connection is a real BigRPC connection that answered one PING; opened in \(fmt(openSeconds, 1)) s.")
    table.emit()
    for channel in channels { channel.close(promise: nil) }
}

/// `allocs`: heap allocations per unary call (client + server, one process).
func allocationsPerCall(_ options: Options) async throws {
    let calls = options.int("calls", 20_000)
    let bigrpcPort = options.int("bigrpc-port", 17021)
    let grpcPort = options.int("grpc-port", 17022)
    let rawPort = options.int("raw-port", 17023)
    let (server, rpcServer) = BigRPCEchoServer.make(port: bigrpcPort)
    let serverTask = Task { try await server.listen(rpcServer) }
    let grpcTask = Task { try await GRPCEchoServer.serve(port: grpcPort) }
    let raw = try await RawEchoServer.start(port: rawPort)
    for port in [bigrpcPort, grpcPort, rawPort] { try await waitForPort(port) }

    let stacks: [any EchoStack] = [
        BigRPCEchoClient(host: "127.0.0.1", port: bigrpcPort, connections: 1),
        try GRPCEchoClient(host: "127.0.0.1", port: grpcPort, connections: 1),
        try await RawEchoClient(
            host: "127.0.0.1", port: rawPort, connections: 1,
            smallSize: EchoSizes.smallEncoded, largeSize: EchoSizes.largeEncoded),
    ]
    var table = Table(
        title: "4b. Heap allocations per unary call (client + server in one process, ~100 B messages)",
        header: ["concurrent calls", "BigRPC", "grpc-swift 2", "raw NIO echo", "BigRPC ÷ grpc"]
    )
    for concurrency in [1, 64] {
        var perCall: [Double] = []
        for stack in stacks {
            _ = try await closedLoop(workers: concurrency, seconds: 0.3) { _ in try await stack.unary(connection: 0, large: false) }
            let perWorker = calls / concurrency
            let before = mallocs()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<concurrency {
                    group.addTask { for _ in 0..<perWorker { try await stack.unary(connection: 0, large: false) } }
                }
                try await group.waitForAll()
            }
            perCall.append(Double(mallocs() - before) / Double(perWorker * concurrency))
        }
        table.rows.append(["\(concurrency)", fmt(perCall[0], 1), fmt(perCall[1], 1), fmt(perCall[2], 1), ratio(perCall[0] / perCall[1])])
    }
    table.notes.append("Counted by a malloc interposer (malloc, calloc, realloc, memalign, posix_memalign, aligned_alloc) over the whole process.")
    table.emit()
    for stack in stacks { await stack.close() }
    serverTask.cancel()
    grpcTask.cancel()
    try? await raw.close()
}

/// `profile-calls --calls N`: BigRPC unary calls, client and server in-process, for a profiler.
func profileCalls(_ options: Options) async throws {
    let calls = options.int("calls", 2000)
    let port = options.int("port", 17031)
    let (server, rpcServer) = BigRPCEchoServer.make(port: port)
    let serverTask = Task { try await server.listen(rpcServer) }
    try await waitForPort(port)
    let client = BigRPCEchoClient(host: "127.0.0.1", port: port, connections: 1)
    for _ in 0..<200 { try await client.unary(connection: 0, large: false) }
    let m0 = mallocs()
    let t0 = nowNs()
    for _ in 0..<calls { try await client.unary(connection: 0, large: false) }
    note("\(calls) calls: \(fmt(Double(nowNs() - t0) / Double(calls) / 1000, 1)) µs/call, \(fmt(Double(mallocs() - m0) / Double(calls), 1)) allocs/call")
    await client.close()
    serverTask.cancel()
}
