import BigRPC
import BigRPCNIO
import BigRPCTLS
import BigShopAuthAPI
import BigShopCatalogAPI
import BigShopFlashSaleAPI
import BigShopHistoryAPI
import BigShopOrdersAPI
import BigShopPaymentsAPI
import BigShopServerTestSupport
import BigShopServiceKit
import Foundation
import TLSTestSupport
import Testing

@testable import BigShopServer

/// The shop split over processes (`--services`, `--peers`, the internal
/// port): here two BigShopApps in one test process, a gateway and the
/// services, talking over real TCP on loopback, with and without mutual TLS.
/// (scripts/cluster-test runs every service in its own process on its own
/// network namespace.)
@Suite(.timeLimit(.minutes(2)))
struct SplitDeploymentTests {
    static let backendServices = ShopAssembly.Part.allCases.map(\.rawValue)

    /// A peers file sending every part to `port` on loopback.
    static func peersFile(port: Int, in directory: String) throws -> String {
        let path = directory + "/peers-\(UUID().uuidString).json"
        let entries = ShopAssembly.Part.allCases.map { "\"\($0.rawValue)\": [\"127.0.0.1:\(port)\"]" }
        try ("{" + entries.joined(separator: ", ") + "}").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Runs `body` with the services in one app (internal port only) and a
    /// gateway in another that reaches them through a peers file;
    /// `configureGateway` changes the gateway's settings.
    static func withSplitShop(
        tls: (backend: InternalTLSFiles, gateway: InternalTLSFiles)? = nil,
        configureGateway: (inout BigShopConfiguration) -> Void = { _ in },
        _ body: (_ gateway: TestShop, _ backend: TestShop) async throws -> Void
    ) async throws {
        let backend = try await TestShop.start {
            $0.services = backendServices
            $0.internalPort = 0
            tls?.backend.apply(to: &$0)
        }
        let gateway: TestShop
        do {
            let peers = try peersFile(port: try #require(backend.internalPort), in: NSTemporaryDirectory())
            gateway = try await TestShop.start {
                $0.services = ["gateway"]
                $0.peersFile = peers
                tls?.gateway.apply(to: &$0)
                configureGateway(&$0)
            }
        } catch {
            try? await backend.stopAndRemove()
            throw error
        }
        do {
            try await body(gateway, backend)
        } catch {
            try? await gateway.stopAndRemove()
            try? await backend.stopAndRemove()
            throw error
        }
        try await gateway.stopAndRemove()
        try await backend.stopAndRemove()
    }

    /// A customer's whole journey through the gateway: every call crosses to
    /// the other app, with the principal the gateway established.
    static func shopThrough(_ gateway: TestShop) async throws {
        let admin = try await gateway.admin()
        let product = try await OrderJourneyTests.product(admin, stock: 5, price: 12_345)
        let (ana, user) = try await gateway.newCustomer("ana")
        #expect(try await ana.auth.whoAmI(.init()).id == user.id)

        _ = try await ana.orders.setCartItem(.init(productId: product.id, quantity: 2))
        let order = try await ana.orders.checkout(.init(), metadata: [Metadata.idempotencyKey: "split-1"])
        #expect(order.totalCents == 2 * 12_345)
        let payment = try await ana.payments.pay(.init(orderId: order.id, method: .card(OrderJourneyTests.approvedCard)))
        #expect(payment.status == .approved)
        #expect(try await ana.orders.getOrder(.init(id: order.id)).status == .confirmed)
        #expect(try await admin.catalog.getProduct(.init(id: product.id)).stock == 3)

        // A server stream through the gateway: History replays the order's statuses.
        // Read until the confirmation arrives (bounded: a loaded machine may
        // need seconds, and a stream that never confirms fails at 10 s).
        let statuses = try await ana.history.watchOrder(.init(orderId: order.id), options: CallOptions(timeout: .seconds(10))) { events in
            var statuses: [Bigshop_Orders_V1_OrderStatus] = []
            do {
                for try await event in events {
                    statuses.append(event.status)
                    if event.status == .confirmed { break }
                }
            } catch let error as RPCError where error.code == .deadlineExceeded {
                // Never confirmed: the expectations below say so.
            }
            return statuses
        }
        #expect(statuses.first == .pendingPayment)
        #expect(statuses.last == .confirmed)

        // Another customer cannot see it: the principal really crossed over.
        let (bia, _) = try await gateway.newCustomer("bia")
        await expectCode(.notFound) { _ = try await bia.orders.getOrder(.init(id: order.id)) }

        // Logout revokes the session by its id; the token never left the gateway.
        _ = try await ana.auth.logout(.init())
        await expectCode(.unauthenticated) { _ = try await ana.auth.whoAmI(.init()) }
    }

    @Test("a gateway and the services in two apps over loopback serve a whole journey")
    func splitOverLoopback() async throws {
        try await Self.withSplitShop { gateway, _ in
            try await Self.shopThrough(gateway)
        }
    }

    @Test("a forged x-bigshop-principal sent to the gateway is ignored")
    func forgedPrincipalIsIgnored() async throws {
        try await Self.withSplitShop { gateway, _ in
            let forged = ForwardedPrincipal.encode(Principal(userID: "usr_nobody", role: .admin, email: "evil@example.com"))
            let anonymous = gateway.clients()
            await expectCode(.unauthenticated) {
                _ = try await anonymous.auth.whoAmI(.init(), metadata: [ForwardedPrincipal.metadataKey: forged])
            }
            let (ana, user) = try await gateway.newCustomer("ana")
            let me = try await ana.auth.whoAmI(.init(), metadata: [ForwardedPrincipal.metadataKey: forged])
            #expect(me.id == user.id)
            await expectCode(.permissionDenied) {
                _ = try await ana.catalog.createProduct(
                    .init(sku: "X-1", name: "Forged", priceCents: 1, stock: 1), metadata: [ForwardedPrincipal.metadataKey: forged])
            }
        }
    }

    @Test("what the gateway forwards: its own principal and request id, never the token or the caller's x-bigshop-* keys")
    func forwardedMetadata() {
        let method = Bigshop_Orders_V1_OrdersService.Method.getCart
        let forged = ForwardedPrincipal.encode(Principal(userID: "usr_evil", role: .admin, email: "evil@example.com"))
        var context = ServerContext(
            method: method,
            metadata: [
                "authorization": "Bearer secret-token", ForwardedPrincipal.metadataKey: forged, "x-bigshop-whatever": "1",
                "idempotency-key": "k-1", "x-request-id": "client-chosen",
            ],
            deadline: nil, peer: "127.0.0.1:1234", requestID: "req-1")
        let anonymous = BigShopApp.forwardedMetadata(context)
        #expect(anonymous == ["idempotency-key": "k-1", "x-request-id": "req-1"])

        let ana = Principal(userID: "usr_ana", role: .customer, email: "ana@example.com", sessionID: "s-1")
        context.values[PrincipalKey.self] = ana
        let signedIn = BigShopApp.forwardedMetadata(context)
        #expect(signedIn[ForwardedPrincipal.metadataKey].flatMap(ForwardedPrincipal.decode) == ana)
        #expect(signedIn["authorization"] == nil && signedIn["x-bigshop-whatever"] == nil)
    }

    @Test("with mutual TLS the split shop works, and the internal port refuses strangers and calls outside the policy")
    func mutualTLS() async throws {
        let certificates = try await TestCertificates.make()
        defer { certificates.remove() }
        let backend = try await certificates.makeServiceCertificate("backend", services: Self.backendServices)
        let gateway = try await certificates.makeServiceCertificate("gateway", services: ["gateway"])
        let catalog = try await certificates.makeServiceCertificate("catalog", services: ["catalog"])
        let orders = try await certificates.makeServiceCertificate("orders", services: ["orders"])
        let stranger = try await certificates.makeServiceCertificate("stranger", services: ["gateway"], wrongCA: true)
        let ca = certificates.caFile

        try await Self.withSplitShop(
            tls: (
                InternalTLSFiles(certificate: backend.certificate, key: backend.key, ca: ca),
                InternalTLSFiles(certificate: gateway.certificate, key: gateway.key, ca: ca)
            )
        ) { gatewayShop, backendShop in
            try await Self.shopThrough(gatewayShop)
            let port = try #require(backendShop.internalPort)

            func client(_ identity: (certificate: String, key: String)?, expecting service: String = "catalog") throws -> (RPCClient, BigRPCClientTransport) {
                var configuration = BigRPCClientTransport.Configuration()
                if let identity {
                    configuration.security = try TLSClientSecurity(
                        trustRootsFile: ca, certificateChainFile: identity.certificate, privateKeyFile: identity.key,
                        requiredServerURI: "spiffe://bigshop/\(service)")
                }
                let transport = BigRPCClientTransport(host: "127.0.0.1", port: port, configuration: configuration)
                return (RPCClient(transport: transport), transport)
            }
            let lookup = Bigshop_Catalog_V1_LookupProductsRequest(ids: ["prd_x"])

            // Plain TCP and a certificate of another CA: no connection.
            for identity in [nil, stranger] {
                let (rpc, transport) = try client(identity)
                await expectCode(.unavailable) { _ = try await Bigshop_Catalog_V1_InventoryService.Client(wrapping: rpc).lookupProducts(lookup) }
                await transport.close()
            }

            // Orders may look up products; catalog may not settle flash-sale holds.
            let (asOrders, ordersTransport) = try client(orders)
            _ = try await Bigshop_Catalog_V1_InventoryService.Client(wrapping: asOrders).lookupProducts(lookup)
            // Only a gateway may forward a principal.
            let forged = ForwardedPrincipal.encode(Principal(userID: "usr_1", role: .admin, email: ""))
            await expectCode(.permissionDenied) {
                _ = try await Bigshop_Catalog_V1_InventoryService.Client(wrapping: asOrders).lookupProducts(
                    lookup, metadata: [ForwardedPrincipal.metadataKey: forged])
            }
            await ordersTransport.close()
            let (asCatalog, catalogTransport) = try client(catalog, expecting: "flashsale")
            await expectCode(.permissionDenied) {
                _ = try await Bigshop_Flashsale_V1_HoldLedger.Client(wrapping: asCatalog).commitHold(.init(orderId: "ord_x"))
            }
            await catalogTransport.close()

            // A client expecting a service the server's certificate does not name refuses it.
            let (wrongServer, wrongTransport) = try client(orders, expecting: "gateway")
            await expectCode(.unavailable) { _ = try await Bigshop_Catalog_V1_InventoryService.Client(wrapping: wrongServer).lookupProducts(lookup) }
            await wrongTransport.close()
        }
    }

    @Test("a split configuration that cannot work fails at start, saying why")
    func badConfigurations() async throws {
        let certificates = try await TestCertificates.make()
        defer { certificates.remove() }
        let gatewayCertificate = try await certificates.makeServiceCertificate("gateway", services: ["gateway"])
        let directory = NSTemporaryDirectory() + "bigshop-split-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let badPeers = directory + "/bad.json"
        try #"{"catalog": ["nowhere"]}"#.write(toFile: badPeers, atomically: true, encoding: .utf8)

        let cases: [(String, (inout BigShopConfiguration) -> Void)] = [
            ("not a service", { $0.services = ["gateway", "warehouse"] }),
            ("--peers", { $0.services = ["orders"] }),
            (
                "not host:port",
                {
                    $0.services = ["history"]
                    $0.peersFile = badPeers
                }
            ),
            (
                "mutual TLS",
                {
                    $0.services = ["catalog"]
                    $0.internalHost = "0.0.0.0"
                }
            ),
            (
                "host:port, a host other replicas can reach",
                {
                    $0.services = ["catalog"]
                    $0.internalAdvertiseAddress = "0.0.0.0:7071"
                }
            ),
            (
                "host:port, a host other replicas can reach",
                {
                    $0.services = ["catalog"]
                    $0.internalAdvertiseAddress = "catalog.internal"
                }
            ),
            (
                "go together",
                {
                    $0.services = ["catalog"]
                    $0.internalCAPath = certificates.caFile
                }
            ),
            (
                "does not name spiffe://bigshop/catalog",
                {
                    $0.services = ["catalog"]
                    InternalTLSFiles(certificate: gatewayCertificate.certificate, key: gatewayCertificate.key, ca: certificates.caFile).apply(to: &$0)
                }
            ),
        ]
        for (expected, configure) in cases {
            var configuration = BigShopConfiguration()
            configuration.dataDirectory = directory + "/data"
            configuration.internalPort = 0
            configure(&configuration)
            do {
                _ = try await BigShopApp.open(ShopAssembly(configuration: configuration))
                Issue.record("\(expected): the app opened")
            } catch {
                #expect(String(describing: error).contains(expected), "\(error)")
            }
        }
    }
}

@Suite struct InternalAdvertiseAddressTests {
    @Test func aWildcardInternalHostNeedsAnAddressOthersCanReachOnPostgreSQL() throws {
        var configuration = BigShopConfiguration()
        configuration.internalHost = "0.0.0.0"
        // SQLite: no replica forwards to this process; the address is only recorded.
        #expect(try configuration.internalAddressToAdvertise(port: 7071) == "0.0.0.0:7071")
        configuration.store = .postgres
        #expect(throws: BigShopConfigurationError.self) { try configuration.internalAddressToAdvertise(port: 7071) }
        configuration.internalAdvertiseAddress = "10.0.0.7:7071"
        #expect(try configuration.internalAddressToAdvertise(port: 7071) == "10.0.0.7:7071")
        configuration.internalAdvertiseAddress = nil
        configuration.internalHost = "fd00::7"
        #expect(try configuration.internalAddressToAdvertise(port: 7071) == "[fd00::7]:7071")
    }
}

/// The three files of `--internal-tls-cert/--internal-tls-key/--internal-ca`.
struct InternalTLSFiles {
    var certificate: String
    var key: String
    var ca: String

    func apply(to configuration: inout BigShopConfiguration) {
        configuration.internalTLSCertificatePath = certificate
        configuration.internalTLSKeyPath = key
        configuration.internalCAPath = ca
    }
}

/// Expects `body` to fail with `code`.
func expectCode(_ code: StatusCode, sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> Void) async {
    do {
        try await body()
        Issue.record("expected \(code), but the call succeeded", sourceLocation: sourceLocation)
    } catch let error as RPCError {
        #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
    } catch {
        Issue.record("expected \(code), got \(error)", sourceLocation: sourceLocation)
    }
}
