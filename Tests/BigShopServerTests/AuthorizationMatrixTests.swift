import BigRPC
import BigShopAuthAPI
import BigShopCatalogAPI
import BigShopFlashSaleAPI
import BigShopGateway
import BigShopHistoryAPI
import BigShopOrdersAPI
import BigShopPaymentsAPI
import BigShopServerTestSupport
import Testing

/// Every public method × anonymous / customer / admin: the gateway lets
/// through exactly the roles api-v1.md names, whatever the request.
/// (Another customer's data is NOT_FOUND, checked in the order and payment
/// flows.)
@Suite struct AuthorizationMatrixTests {
    enum Caller: CaseIterable { case anonymous, customer, admin }

    /// The code the gateway itself answers, or nil when it lets the call
    /// through (the service may still refuse it for its own reasons).
    static func expectedGatewayCode(_ access: Access, _ caller: Caller) -> StatusCode? {
        switch (access, caller) {
        case (.public, _): nil
        case (_, .anonymous): .unauthenticated
        case (.admin, .customer): .permissionDenied
        default: nil
        }
    }

    /// Whether `error` is the gateway's refusal rather than the service's own
    /// answer (Login says UNAUTHENTICATED for wrong credentials, too).
    static func isGatewayRefusal(_ error: RPCError?) -> Bool {
        guard let error else { return false }
        return ["sign in first", "the session token is invalid", "this method is for admins", "is not available"]
            .contains { error.message.contains($0) }
    }

    /// Calls `method` with an empty request through the raw client, so every
    /// method is reached the same way.
    static func call(_ method: MethodDescriptor, with clients: ShopClients) async -> RPCError? {
        do {
            switch method.kind {
            case .unary:
                _ = try await clients.rpc.unary(
                    request: EmptyRequest(), method: method, responseType: EmptyRequest.self,
                    options: CallOptions(timeout: .seconds(10))
                ).message
            case .serverStreaming:
                try await clients.rpc.serverStreaming(
                    request: EmptyRequest(), method: method, responseType: EmptyRequest.self,
                    options: CallOptions(timeout: .seconds(10))
                ) { responses in
                    for try await _ in responses {}
                }
            default:
                Issue.record("no public method streams requests")
            }
            return nil
        } catch let error as RPCError {
            return error
        } catch {
            return RPCError(.unknown, "\(error)")
        }
    }

    @Test func everyMethodAdmitsExactlyItsRoles() async throws {
        try await withShop { shop in
            let callers: [Caller: ShopClients] = [
                .anonymous: shop.clients(),
                .customer: try await shop.newCustomer().clients,
                .admin: try await shop.admin(),
            ]
            let methods: [MethodDescriptor] =
                Bigshop_Auth_V1_AuthService.Method.all
                + Bigshop_Catalog_V1_CatalogService.Method.all + Bigshop_Orders_V1_OrdersService.Method.all
                + Bigshop_Payments_V1_PaymentsService.Method.all + Bigshop_History_V1_HistoryService.Method.all
                + Bigshop_Flashsale_V1_FlashSaleService.Method.all
            #expect(methods.count == 33)
            for method in methods {
                let access = try #require(AccessPolicy.shop.access(for: method), "\(method) has no rule")
                for caller in Caller.allCases {
                    // Logout would end the session the next calls need.
                    if method == Bigshop_Auth_V1_AuthService.Method.logout && caller != .anonymous { continue }
                    let error = await Self.call(method, with: callers[caller]!)
                    if let expected = Self.expectedGatewayCode(access, caller) {
                        #expect(error?.code == expected && Self.isGatewayRefusal(error), "\(method.path) as \(caller): \(String(describing: error))")
                    } else {
                        #expect(!Self.isGatewayRefusal(error), "\(method.path) as \(caller): \(String(describing: error))")
                        #expect(error?.code != .unimplemented, "\(method.path) is not served")
                    }
                }
            }
        }
    }

    @Test func internalServicesAreNotExposed() async throws {
        try await withShop { shop in
            let admin = try await shop.admin()
            for method in [
                MethodDescriptor(service: "bigshop.catalog.v1.InventoryService", method: "ReserveStock", kind: .unary),
                MethodDescriptor(service: "bigshop.orders.v1.OrderLedger", method: "ConfirmOrder", kind: .unary),
                MethodDescriptor(service: "bigshop.auth.v1.SessionVerifier", method: "Authenticate", kind: .unary),
                MethodDescriptor(service: "bigshop.orchestrator.v1.CheckoutSaga", method: "CompletePayment", kind: .unary),
            ] {
                #expect(await Self.call(method, with: admin)?.code == .unimplemented, "\(method.path)")
            }
        }
    }
}

/// An empty message: every request message decodes from its (empty)
/// encoding with all fields at their defaults, and any response decodes into
/// it with its fields skipped.
typealias EmptyRequest = Bigshop_Auth_V1_WhoAmIRequest
