import BigRPC
import BigShopServer
import BigShopServerTestSupport
import ChildProcess
import Foundation
import Glibc
import TLSTestSupport
import Testing

/// The HTTP/JSON edge of a real `BigShopApp` (`--http-port`), called over
/// real HTTP: the same journey as the BigRPC API's, and its errors as HTTP
/// statuses.
@Suite("HTTP/JSON edge", .timeLimit(.minutes(3)))
struct HTTPEdgeTests {
    static var card: [String: Any] {
        [
            "number": "4111 1111 1111 1111", "holder": "Ana Souza", "expMonth": 12, "expYear": 2031, "cvv": "123",
        ]
    }

    /// A shop with its HTTP edge, and a client of that edge.
    static func withEdge<R>(
        configure: @escaping (inout BigShopConfiguration) -> Void = { _ in },
        _ body: (TestShop, HTTPClient) async throws -> R
    ) async throws -> R {
        let httpPort = try LoopbackPort.free()
        return try await withShop(configure: {
            $0.httpPort = httpPort
            configure(&$0)
        }) { shop in
            let bound = try await shop.app.httpListeningAddress().port
            #expect(bound == httpPort)
            return try await body(shop, HTTPClient(port: httpPort))
        }
    }

    static func signUp(_ http: HTTPClient, _ name: String) async throws -> String {
        let email = "\(name)-\(UUID().uuidString.prefix(8))@example.com"
        let registered = try await http.call(
            "bigshop.auth.v1.AuthService/Register", ["email": email, "password": "customer-password", "name": name])
        #expect(registered.status == 200, "\(registered.text)")
        let session = try await http.call(
            "bigshop.auth.v1.AuthService/Login", ["email": email, "password": "customer-password"])
        #expect(session.status == 200, "\(session.text)")
        return try #require(session.json["token"] as? String)
    }

    static func adminToken(_ http: HTTPClient) async throws -> String {
        let session = try await http.call(
            "bigshop.auth.v1.AuthService/Login", ["email": TestShop.adminEmail, "password": TestShop.adminPassword])
        return try #require(session.json["token"] as? String, "\(session.text)")
    }

    @Test func aWholePurchaseOverHTTP() async throws {
        try await Self.withEdge { _, http in
            let admin = try await Self.adminToken(http)
            let category = try await http.call(
                "bigshop.catalog.v1.CatalogService/CreateCategory", ["slug": "celulares", "name": "Celulares"], token: admin)
            #expect(category.status == 200, "\(category.text)")
            let created = try await http.call(
                "bigshop.catalog.v1.CatalogService/CreateProduct",
                [
                    "sku": "HTTP-1", "name": "Celular Ação", "priceCents": "150000", "stock": "5",
                    "categoryId": category.json["id"] as! String,
                ], token: admin)
            #expect(created.status == 200, "\(created.text)")
            let productID = try #require(created.json["id"] as? String)

            let ana = try await Self.signUp(http, "ana")
            let whoAmI = try await http.call("bigshop.auth.v1.AuthService/WhoAmI", token: ana)
            #expect(whoAmI.status == 200 && (whoAmI.json["email"] as? String)?.hasPrefix("ana-") == true)

            // Browse: search ignoring accents, then by category.
            let found = try await http.call("bigshop.catalog.v1.CatalogService/ListProducts", ["query": "acao"])
            #expect((found.json["products"] as? [[String: Any]])?.map { $0["id"] as? String } == [productID])

            // Cart, checkout (idempotent by key), card payment.
            let line = try await http.call(
                "bigshop.orders.v1.OrdersService/SetCartItem", ["productId": productID, "quantity": 2], token: ana)
            #expect(line.status == 200, "\(line.text)")
            let order = try await http.call(
                "bigshop.orders.v1.OrdersService/Checkout", token: ana, headers: ["idempotency-key": "http-order-1"])
            #expect(order.status == 200, "\(order.text)")
            #expect(order.json["totalCents"] as? String == "300000")
            let again = try await http.call(
                "bigshop.orders.v1.OrdersService/Checkout", token: ana, headers: ["idempotency-key": "http-order-1"])
            #expect(again.json["id"] as? String == order.json["id"] as? String)
            let orderID = try #require(order.json["id"] as? String)
            let paid = try await http.call(
                "bigshop.payments.v1.PaymentsService/Pay", ["orderId": orderID, "card": Self.card], token: ana)
            #expect(paid.status == 200 && paid.json["status"] as? String == "PAYMENT_STATUS_APPROVED", "\(paid.text)")
            let confirmed = try await http.call("bigshop.orders.v1.OrdersService/GetOrder", ["id": orderID], token: ana)
            #expect(confirmed.json["status"] as? String == "ORDER_STATUS_CONFIRMED", "\(confirmed.text)")
            let raw = paid.text
            #expect(!raw.contains("4111 1111 1111 1111") && !raw.contains("\"123\""))

            // Pix: the BR Code comes back as text; the admin confirms it.
            _ = try await http.call(
                "bigshop.orders.v1.OrdersService/SetCartItem", ["productId": productID, "quantity": 1], token: ana)
            let pixOrder = try await http.call("bigshop.orders.v1.OrdersService/Checkout", token: ana)
            let pix = try await http.call(
                "bigshop.payments.v1.PaymentsService/Pay",
                ["orderId": pixOrder.json["id"] as! String, "pix": [String: Any]()], token: ana)
            #expect((pix.json["pixCopyPaste"] as? String)?.hasPrefix("000201") == true, "\(pix.text)")
            let pixPaid = try await http.call(
                "bigshop.payments.v1.PaymentsService/ConfirmPix", ["txid": pix.json["pixTxid"] as! String], token: admin)
            #expect(pixPaid.json["status"] as? String == "PAYMENT_STATUS_APPROVED", "\(pixPaid.text)")

            // Another customer sees neither order.
            let bia = try await Self.signUp(http, "bia")
            let hidden = try await http.call("bigshop.orders.v1.OrdersService/GetOrder", ["id": orderID], token: bia)
            #expect(hidden.status == 404 && hidden.json["code"] as? String == "NOT_FOUND")
        }
    }

    @Test func liveStatusOverServerSentEvents() async throws {
        try await Self.withEdge { shop, http in
            let admin = try await shop.admin()
            let product = try await admin.catalog.createProduct(
                .init(sku: "SSE-1", name: "Fone", priceCents: 9_900, stock: 3))
            let ana = try await Self.signUp(http, "ana")
            _ = try await http.call(
                "bigshop.orders.v1.OrdersService/SetCartItem", ["productId": product.id, "quantity": 1], token: ana)
            let order = try await http.call("bigshop.orders.v1.OrdersService/Checkout", token: ana)
            let orderID = try #require(order.json["id"] as? String)

            // A browser's EventSource: GET, the request in ?message=, the token
            // in ?access_token=. The stream stays open until the order ends.
            let message = #"{"orderId":"\#(orderID)"}"#.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            let path = "/bigshop.history.v1.HistoryService/WatchOrder?message=\(message)&access_token=\(ana)"
            async let watched = http.send("GET", path, headers: ["accept": "text/event-stream"])
            try await Task.sleep(for: .milliseconds(300))
            let cancelled = try await http.call("bigshop.orders.v1.OrdersService/CancelOrder", ["id": orderID], token: ana)
            #expect(cancelled.status == 200, "\(cancelled.text)")

            let stream = try await watched
            #expect(stream.status == 200 && stream.header("content-type") == "text/event-stream")
            let events = ServerSentEvent.parse(stream.text)
            #expect(events.map(\.event) == ["message", "message", "status"], "\(stream.text)")
            #expect(events.first?.id == "1" && events.dropFirst().first?.id == "2")
            #expect(events.first?.data.contains("ORDER_STATUS_PENDING_PAYMENT") == true)
            #expect(events.dropFirst().first?.data.contains("ORDER_STATUS_CANCELLED") == true)
            #expect(events.last?.data == #"{"code":"OK","message":""}"#)

            // Reconnecting with Last-Event-ID: 1 gets only what followed.
            let resumed = try await http.send(
                "GET", path, headers: ["accept": "text/event-stream", "last-event-id": "1"])
            let replay = ServerSentEvent.parse(resumed.text)
            #expect(replay.map(\.id) == ["2", nil])
            #expect(replay.first?.data.contains("ORDER_STATUS_CANCELLED") == true)

            // A POST with Accept: text/event-stream works the same; errors end
            // the stream with their status.
            let other = try await http.send(
                "POST", "/bigshop.history.v1.HistoryService/WatchOrder",
                body: Data(#"{"orderId":"ord_nope"}"#.utf8), token: ana,
                headers: ["content-type": "application/json", "accept": "text/event-stream"])
            #expect(ServerSentEvent.parse(other.text).last?.data.contains(#""code":"NOT_FOUND""#) == true)
        }
    }

    @Test func errorsAreHTTPStatusesWithACodeAndAReason() async throws {
        try await Self.withEdge { shop, http in
            let ana = try await Self.signUp(http, "ana")
            let anonymous = try await http.call("bigshop.orders.v1.OrdersService/GetCart")
            #expect(anonymous.status == 401 && anonymous.json["code"] as? String == "UNAUTHENTICATED")
            let customer = try await http.call(
                "bigshop.catalog.v1.CatalogService/CreateProduct", ["sku": "X", "name": "X"], token: ana)
            #expect(customer.status == 403 && customer.json["code"] as? String == "PERMISSION_DENIED")
            let missing = try await http.call("bigshop.catalog.v1.CatalogService/GetProduct", ["id": "prd_nope"])
            #expect(missing.status == 404)
            let email = "dup-\(UUID().uuidString.prefix(6))@example.com"
            _ = try await http.call("bigshop.auth.v1.AuthService/Register", ["email": email, "password": "customer-password"])
            let duplicate = try await http.call(
                "bigshop.auth.v1.AuthService/Register", ["email": email, "password": "customer-password"])
            #expect(duplicate.status == 409 && duplicate.json["code"] as? String == "ALREADY_EXISTS")

            // A business refusal carries its reason.
            let admin = try await shop.admin()
            let product = try await admin.catalog.createProduct(.init(sku: "ONE", name: "Único", priceCents: 100, stock: 1))
            _ = try await http.call(
                "bigshop.orders.v1.OrdersService/SetCartItem", ["productId": product.id, "quantity": 2], token: ana)
            let short = try await http.call("bigshop.orders.v1.OrdersService/Checkout", token: ana)
            #expect(short.status == 400 && short.json["reason"] as? String == "OUT_OF_STOCK", "\(short.text)")
            #expect(short.header("reason") == "OUT_OF_STOCK")

            let unknownField = try await http.call("bigshop.catalog.v1.CatalogService/ListProducts", ["bogus": 1])
            #expect(unknownField.status == 400 && unknownField.text.contains("bogus"))
            let notJSON = try await http.send(
                "POST", "/bigshop.catalog.v1.CatalogService/ListProducts", body: Data("{nope".utf8))
            #expect(notJSON.status == 400 && notJSON.json["code"] as? String == "INVALID_ARGUMENT")
            let form = try await http.send(
                "POST", "/bigshop.catalog.v1.CatalogService/ListProducts", body: Data("a=b".utf8),
                headers: ["content-type": "application/x-www-form-urlencoded"])
            #expect(form.status == 415)
            let huge = try await http.send(
                "POST", "/bigshop.catalog.v1.CatalogService/ListProducts",
                body: Data(#"{"query":""#.utf8 + Array(repeating: UInt8(ascii: "a"), count: 100_000) + #""}"#.utf8))
            #expect(huge.status == 413)
            let noRoute = try await http.call("bigshop.catalog.v1.CatalogService/Nope")
            #expect(noRoute.status == 404 && noRoute.json["code"] as? String == "UNIMPLEMENTED")
            // Internal services are not reachable through the edge either.
            let inventory = try await http.call(
                "bigshop.catalog.v1.InventoryService/ReserveStock", ["reservationId": "r", "lines": []])
            #expect(inventory.status == 404)
            // Binary protobuf works too: an empty ListProducts request.
            let binary = try await http.send(
                "POST", "/bigshop.catalog.v1.CatalogService/ListProducts", body: Data(),
                headers: ["content-type": "application/proto"])
            #expect(binary.status == 200 && binary.header("content-type") == "application/proto" && !binary.body.isEmpty)
        }
    }

    @Test func rateLimitsApplyPerClientAddressWithRetryAfter() async throws {
        try await Self.withEdge(configure: {
            $0.rateLimit = true
            $0.rateLimits.perAddress = .init(perSecond: 0.1, burst: 2)
        }) { _, http in
            var statuses: [Int] = []
            var last: HTTPClient.Answer?
            for _ in 0..<3 {
                let answer = try await http.call("bigshop.catalog.v1.CatalogService/ListProducts")
                statuses.append(answer.status)
                last = answer
            }
            #expect(statuses == [200, 200, 429])
            #expect(last?.json["code"] as? String == "RESOURCE_EXHAUSTED")
            #expect(Int(last?.header("retry-after") ?? "") ?? 0 >= 1)
        }
    }

    @Test func theEdgeServesTheBigRPCPortsCertificate() async throws {
        let certificates = try await TestCertificates.make()
        defer { certificates.remove() }
        try await Self.withEdge(configure: {
            $0.tlsCertificatePath = certificates.localhostCertificateFile
            $0.tlsKeyPath = certificates.localhostKeyFile
        }) { shop, http in
            let port = try await shop.app.httpListeningAddress().port!
            let secure = try await Self.curl([
                "--cacert", certificates.caFile, "-X", "POST", "-H", "content-type: application/json", "-d", "{}",
                "https://localhost:\(port)/bigrpc.health.v1.Health/Check",
            ])
            #expect(secure.exitCode == 0 && secure.output.contains("SERVING"), "\(secure.output)")
            // Untrusted certificate, and plain text: no answer.
            let untrusted = try await Self.curl([
                "--cacert", certificates.wrongCAFile, "-X", "POST", "-d", "{}", "https://localhost:\(port)/bigrpc.health.v1.Health/Check",
            ])
            #expect(untrusted.exitCode != 0)
            await #expect(throws: (any Error).self) { _ = try await http.call("bigrpc.health.v1.Health/Check") }
        }
    }

    /// Runs curl (silently, failing on no answer) for at most 20 s.
    static func curl(_ arguments: [String]) async throws -> (exitCode: Int32, output: String) {
        let process = try ChildProcess(
            executable: "/usr/bin/curl", arguments: ["-sS", "--max-time", "15"] + arguments, standardOutput: .capture,
            standardError: .capture)
        let termination = await process.wait(killingAfter: .seconds(20))
        return (termination.code, String(decoding: await process.standardOutput() + process.standardError(), as: UTF8.self))
    }

    @Test func idleConnectionsAreClosedAndHugeHeadsRefused() async throws {
        try await Self.withEdge(configure: { $0.idleTimeoutSeconds = 1 }) { shop, http in
            let port = try await shop.app.httpListeningAddress().port!
            // A connection that never sends a request is closed by the idle timeout.
            let silent = try Self.connect(port: port)
            defer { close(silent) }
            let started = ContinuousClock.now
            var byte: UInt8 = 0
            var timeout = timeval(tv_sec: 20, tv_usec: 0)
            setsockopt(silent, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            let read = recv(silent, &byte, 1, 0)
            #expect(read == 0, "the server should close it (recv returned \(read), errno \(errno))")
            #expect(ContinuousClock.now - started < .seconds(15))

            // Request heads over 32 KiB are refused, not buffered.
            let huge = try await http.send(
                "POST", "/bigshop.catalog.v1.CatalogService/ListProducts", body: Data("{}".utf8),
                headers: ["content-type": "application/json", "x-padding": String(repeating: "a", count: 40_000)])
            #expect(huge.status >= 400, "\(huge.status)")
            // And the port still serves.
            #expect(try await http.call("bigshop.catalog.v1.CatalogService/ListProducts").status == 200)
        }
    }

    /// A plain TCP connection to the loopback port.
    static func connect(port: Int) throws -> Int32 {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard descriptor >= 0, result == 0 else { throw HTTPClientError("connect to 127.0.0.1:\(port) failed") }
        return descriptor
    }

    struct HTTPClientError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    @Test func corsAnswersOnlyTheConfiguredOrigin() async throws {
        try await Self.withEdge(configure: { $0.httpAllowedOrigins = ["https://loja.example.com"] }) { _, http in
            let preflight = try await http.send(
                "OPTIONS", "/bigshop.catalog.v1.CatalogService/ListProducts",
                headers: [
                    "origin": "https://loja.example.com", "access-control-request-method": "POST",
                    "access-control-request-headers": "content-type, authorization",
                ])
            #expect(preflight.header("access-control-allow-origin") == "https://loja.example.com")
            #expect(preflight.header("access-control-allow-headers")?.lowercased().contains("authorization") == true)
            let allowed = try await http.call(
                "bigshop.catalog.v1.CatalogService/ListProducts", headers: ["origin": "https://loja.example.com"])
            #expect(allowed.status == 200 && allowed.header("access-control-allow-origin") == "https://loja.example.com")
            let other = try await http.call(
                "bigshop.catalog.v1.CatalogService/ListProducts", headers: ["origin": "https://evil.example.com"])
            #expect(other.header("access-control-allow-origin") == nil)
        }
    }
}

/// One Server-Sent Event, as a browser's EventSource reads it.
struct ServerSentEvent: Equatable {
    var id: String?
    var event: String
    var data: String

    static func parse(_ text: String) -> [ServerSentEvent] {
        text.components(separatedBy: "\n\n").compactMap { block in
            var event = ServerSentEvent(id: nil, event: "message", data: "")
            var sawField = false
            for line in block.split(separator: "\n") {
                guard let colon = line.firstIndex(of: ":") else { continue }
                let value = line[line.index(after: colon)...].drop { $0 == " " }
                sawField = true
                switch line[..<colon] {
                case "id": event.id = String(value)
                case "event": event.event = String(value)
                case "data": event.data += String(value)
                default: break
                }
            }
            return sawField ? event : nil
        }
    }
}
