// Everything that speaks grpc-swift 2 (HTTP/2) with swift-protobuf messages.
import BenchSwiftProtobuf
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2Posix
import GRPCProtobuf
import SwiftProtobuf

enum SwiftProtobufSamples {
    static func order() -> Bench_V1_Order {
        var order = Bench_V1_Order()
        order.id = "ord_8f14e45fceea167a5a36dedd4bea2543"
        order.customerID = "usr_c9f0f895fb98ab9159f51fd0297e236d"
        var sum: Int64 = 0
        for i in 0..<10 {
            var item = Bench_V1_OrderItem()
            item.productID = "prd_0\(i)_a87ff679a2f3e71d9181a67b7542122c"
            item.name = "iPhone 15 Pro Max 256 GB Titânio Natural"
            item.quantity = Int32(i + 1)
            var price = Bench_V1_Money()
            price.cents = Int64(899_900 + i)
            price.currency = "BRL"
            item.unitPrice = price
            item.tags = ["black-friday", "eletrônicos"]
            order.items.append(item)
            sum += Int64(899_900 + i) * Int64(i + 1)
        }
        var total = Bench_V1_Money()
        total.cents = sum
        total.currency = "BRL"
        order.total = total
        order.status = .pendingPayment
        order.createdAtMs = 1_764_374_400_000
        var address = Bench_V1_Address()
        address.street = "Avenida Paulista, 1578 - Bela Vista"
        address.city = "São Paulo"
        address.state = "SP"
        address.postalCode = "01310-200"
        order.shippingAddress = address
        return order
    }

    static func small() -> Bench_V1_Reservation {
        var r = Bench_V1_Reservation()
        r.id = "rsv_1679091c5a880faf6fb5e6087eb1b2dc"
        r.campaignID = "cmp_45c48cce2e2d7fbdea1afc51c7c6ad26"
        r.dropIndex = 13
        r.orderID = "ord_d3d9446802a44259755d38e6d163e820"
        r.expiresAtMs = 1_764_375_000_000
        return r
    }

    static func echo(payloadSize: Int) -> Bench_V1_EchoMessage {
        var m = Bench_V1_EchoMessage()
        m.id = 42
        m.text = "hello from the benchmark client"
        m.payload = Data(repeating: 0xAB, count: payloadSize)
        return m
    }
}

enum SwiftProtobufCodecBench {
    static func orderRoundtrip(_ order: Bench_V1_Order, _ n: Int) throws -> Int {
        var check = 0
        for _ in 0..<n {
            let bytes: [UInt8] = try order.serializedBytes()
            let back = try Bench_V1_Order(serializedBytes: bytes)
            check &+= back.items.count &+ bytes.count
        }
        return check
    }

    static func orderEncode(_ order: Bench_V1_Order, _ n: Int) throws -> Int {
        var check = 0
        for _ in 0..<n {
            let bytes: [UInt8] = try order.serializedBytes()
            check &+= bytes.count
        }
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
            let bytes: [UInt8] = try message.serializedBytes()
            let back = try Bench_V1_Reservation(serializedBytes: bytes)
            check &+= Int(back.dropIndex) &+ bytes.count
        }
        return check
    }

    static func orderBytes(_ order: Bench_V1_Order) throws -> [UInt8] { try order.serializedBytes() }
    static func smallBytes(_ m: Bench_V1_Reservation) throws -> [UInt8] { try m.serializedBytes() }
}

// MARK: Echo service

struct GRPCEchoService: Bench_V1_EchoService.SimpleServiceProtocol {
    func echo(request: Bench_V1_EchoMessage, context: GRPCCore.ServerContext) async throws -> Bench_V1_EchoMessage {
        request
    }

    func stream(
        request: Bench_V1_StreamRequest,
        response: GRPCCore.RPCWriter<Bench_V1_EchoMessage>,
        context: GRPCCore.ServerContext
    ) async throws {
        for _ in 0..<request.count {
            try await response.write(request.message)
        }
    }
}

enum GRPCEchoServer {
    static func serve(port: Int) async throws {
        let server = GRPCServer(
            transport: .http2NIOPosix(address: .ipv4(host: "127.0.0.1", port: port), transportSecurity: .plaintext),
            services: [GRPCEchoService()]
        )
        try await server.serve()
    }
}

final class GRPCEchoClient: EchoStack {
    let name = "grpc-swift 2"
    private let grpcClients: [GRPCClient<HTTP2ClientTransport.Posix>]
    private let clients: [Bench_V1_EchoService.Client<HTTP2ClientTransport.Posix>]
    private let runners: [Task<Void, any Error>]
    private let small = SwiftProtobufSamples.echo(payloadSize: 60)
    private let large = SwiftProtobufSamples.echo(payloadSize: 4096)

    init(host: String, port: Int, connections: Int) throws {
        let grpcClients = try (0..<connections).map { _ in
            GRPCClient(transport: try .http2NIOPosix(target: .ipv4(address: host, port: port), transportSecurity: .plaintext))
        }
        self.grpcClients = grpcClients
        clients = grpcClients.map { Bench_V1_EchoService.Client(wrapping: $0) }
        runners = grpcClients.map { client in Task { try await client.runConnections() } }
    }

    func unary(connection: Int, large: Bool) async throws {
        let request = large ? self.large : small
        let response = try await clients[connection].echo(request)
        precondition(response.payload.count == request.payload.count)
    }

    func stream(connection: Int, count: Int) async throws -> Int {
        var request = Bench_V1_StreamRequest()
        request.count = Int32(count)
        request.message = small
        return try await clients[connection].stream(request) { response in
            var received = 0
            for try await _ in response.messages { received += 1 }
            return received
        }
    }

    func close() async {
        for client in grpcClients { client.beginGracefulShutdown() }
        for runner in runners { _ = try? await runner.value }
    }
}
