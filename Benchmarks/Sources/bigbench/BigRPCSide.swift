// Everything that speaks BigRPC: the echo service and client, the codec samples.
import BenchProtos
import BigRPC
import BigRPCCodec
import BigRPCNIO
import Foundation
import Logging
import NIOCore
import NIOPosix

// MARK: Messages

enum BigRPCSamples {
    static func order() -> Bench_V1_Order {
        var items: [Bench_V1_OrderItem] = []
        var sum: Int64 = 0
        for i in 0..<10 {
            items.append(
                Bench_V1_OrderItem(
                    productId: "prd_0\(i)_a87ff679a2f3e71d9181a67b7542122c",
                    name: "iPhone 15 Pro Max 256 GB Titânio Natural",
                    quantity: Int32(i + 1),
                    unitPrice: Bench_V1_Money(cents: Int64(899_900 + i), currency: "BRL"),
                    tags: ["black-friday", "eletrônicos"]
                ))
            sum += Int64(899_900 + i) * Int64(i + 1)
        }
        return Bench_V1_Order(
            id: "ord_8f14e45fceea167a5a36dedd4bea2543",
            customerId: "usr_c9f0f895fb98ab9159f51fd0297e236d",
            items: items,
            total: Bench_V1_Money(cents: sum, currency: "BRL"),
            status: .pendingPayment,
            createdAtMs: 1_764_374_400_000,
            shippingAddress: Bench_V1_Address(
                street: "Avenida Paulista, 1578 - Bela Vista", city: "São Paulo", state: "SP", postalCode: "01310-200"
            )
        )
    }

    static func small() -> Bench_V1_Reservation {
        Bench_V1_Reservation(
            id: "rsv_1679091c5a880faf6fb5e6087eb1b2dc",
            campaignId: "cmp_45c48cce2e2d7fbdea1afc51c7c6ad26",
            dropIndex: 13,
            orderId: "ord_d3d9446802a44259755d38e6d163e820",
            expiresAtMs: 1_764_375_000_000
        )
    }

    static func echo(payloadSize: Int) -> Bench_V1_EchoMessage {
        Bench_V1_EchoMessage(id: 42, text: "hello from the benchmark client", payload: [UInt8](repeating: 0xAB, count: payloadSize))
    }
}

/// Codec loops: each returns a checksum so the work is not optimised away.
enum BigRPCCodecBench {
    static func orderRoundtrip(_ order: Bench_V1_Order, _ n: Int) throws -> Int {
        var check = 0
        for _ in 0..<n {
            let bytes = try order.serializedBytes()
            let back = try Bench_V1_Order(serializedBytes: bytes)
            check &+= back.items.count &+ bytes.count
        }
        return check
    }

    static func orderEncode(_ order: Bench_V1_Order, _ n: Int) throws -> Int {
        var check = 0
        for _ in 0..<n { check &+= try order.serializedBytes().count }
        return check
    }

    static func orderDecode(_ bytes: [UInt8], _ n: Int) throws -> Int {
        var check = 0
        for _ in 0..<n { check &+= try Bench_V1_Order(serializedBytes: bytes).items.count }
        return check
    }

    static func smallRoundtrip(_ message: Bench_V1_Reservation, _ n: Int) throws -> Int {
        var check = 0
        for _ in 0..<n {
            let bytes = try message.serializedBytes()
            let back = try Bench_V1_Reservation(serializedBytes: bytes)
            check &+= Int(back.dropIndex) &+ bytes.count
        }
        return check
    }
}

// MARK: Echo service

struct BigRPCEchoService: Bench_V1_EchoService.ServiceProtocol {
    func echo(request: Bench_V1_EchoMessage, context: ServerContext) async throws -> Bench_V1_EchoMessage {
        request
    }

    func stream(
        request: Bench_V1_StreamRequest,
        response: RPCWriter<Bench_V1_EchoMessage>,
        context: ServerContext
    ) async throws {
        let message = request.message ?? Bench_V1_EchoMessage()
        for _ in 0..<request.count {
            try await response.write(message)
        }
    }
}

enum BigRPCEchoServer {
    static func make(port: Int) -> (BigRPCServer, RPCServer) {
        var configuration = BigRPCServer.Configuration()
        configuration.port = port
        configuration.idleTimeout = nil
        // BIGBENCH_HANDLERS_ON_LOOP=1: handlers on the connection's event loop.
        configuration.runsHandlersOnEventLoops = ProcessInfo.processInfo.environment["BIGBENCH_HANDLERS_ON_LOOP"] == "1"
        var logger = Logger(label: "bigbench.bigrpc")
        logger.logLevel = .warning
        return (BigRPCServer(configuration: configuration, logger: logger), RPCServer(services: [BigRPCEchoService()], logger: logger))
    }
}

final class BigRPCEchoClient: EchoStack {
    let name = "BigRPC"
    private let transports: [BigRPCClientTransport]
    private let clients: [Bench_V1_EchoService.Client]
    private let small = BigRPCSamples.echo(payloadSize: 60)
    private let large = BigRPCSamples.echo(payloadSize: 4096)

    init(host: String, port: Int, connections: Int) {
        var logger = Logger(label: "bigbench.client")
        logger.logLevel = .warning
        transports = (0..<connections).map { _ in BigRPCClientTransport(host: host, port: port, logger: logger) }
        clients = transports.map { Bench_V1_EchoService.Client(wrapping: RPCClient(transport: $0)) }
    }

    func unary(connection: Int, large: Bool) async throws {
        let request = large ? self.large : small
        let response = try await clients[connection].echo(request)
        precondition(response.payload.count == request.payload.count)
    }

    func stream(connection: Int, count: Int) async throws -> Int {
        let request = Bench_V1_StreamRequest(count: Int32(count), message: small)
        return try await clients[connection].stream(request) { responses in
            var received = 0
            for try await _ in responses { received += 1 }
            return received
        }
    }

    func close() async {
        for transport in transports { await transport.close() }
    }
}

extension BigRPCCodecBench {
    static func bytes(_ message: some ProtoMessage) throws -> [UInt8] { try message.serializedBytes() }
}
