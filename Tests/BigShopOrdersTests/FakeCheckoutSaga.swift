import BigRPC
import BigShopOrchestratorAPI
import BigShopOrdersAPI
import BigShopServiceKit
import Synchronization

/// A stand-in for the orchestrator's CheckoutSaga: records what Orders asks
/// of it and answers like the real one would, through the OrderLedger (no
/// stock is involved). Lets the tests check OrdersService's delegation.
final class FakeCheckoutSaga: Bigshop_Orchestrator_V1_CheckoutSaga.ServiceProtocol {
    static let paymentWindowMs: Int64 = 15 * 60 * 1000

    private let ledger: Bigshop_Orders_V1_OrderLedger.Client
    private let clock: any ShopClock
    private let state = Mutex<
        (
            starts: [Bigshop_Orchestrator_V1_StartCheckoutRequest],
            cancels: [Bigshop_Orchestrator_V1_CancelCheckoutRequest],
            ordersByKey: [String: String]
        )
    >(([], [], [:]))

    init(ledger: Bigshop_Orders_V1_OrderLedger.Client, clock: any ShopClock) {
        self.ledger = ledger
        self.clock = clock
    }

    var startRequests: [Bigshop_Orchestrator_V1_StartCheckoutRequest] { state.withLock { $0.starts } }
    var cancelRequests: [Bigshop_Orchestrator_V1_CancelCheckoutRequest] { state.withLock { $0.cancels } }

    func startCheckout(
        request: Bigshop_Orchestrator_V1_StartCheckoutRequest,
        context: ServerContext
    ) async throws -> Bigshop_Orders_V1_Order {
        let known: String? = state.withLock { state in
            state.starts.append(request)
            return request.idempotencyKey.isEmpty ? nil : state.ordersByKey[request.userId + "/" + request.idempotencyKey]
        }
        if let known { return try await ledger.lookupOrder(Bigshop_Orders_V1_LookupOrderRequest(orderId: known)) }
        let cart = try await ledger.getCartOf(Bigshop_Orders_V1_GetCartOfRequest(userId: request.userId))
        guard !cart.items.isEmpty else { throw RPCError.refused("EMPTY_CART", "the cart is empty") }
        let order = try await ledger.createOrder(
            Bigshop_Orders_V1_CreateOrderRequest(
                order: Bigshop_Orders_V1_Order(
                    id: ShopID.make("ord"),
                    userId: request.userId,
                    items: cart.items.map {
                        Bigshop_Orders_V1_OrderItem(
                            productId: $0.productId, name: $0.name, quantity: $0.quantity, unitPriceCents: $0.unitPriceCents)
                    },
                    totalCents: cart.totalCents,
                    paymentDueAtMs: clock.nowMs() + Self.paymentWindowMs),
                removeFromCart: true))
        if !request.idempotencyKey.isEmpty {
            state.withLock { $0.ordersByKey[request.userId + "/" + request.idempotencyKey] = order.id }
        }
        return order
    }

    func cancelCheckout(
        request: Bigshop_Orchestrator_V1_CancelCheckoutRequest,
        context: ServerContext
    ) async throws -> Bigshop_Orders_V1_Order {
        state.withLock { $0.cancels.append(request) }
        return try await ledger.abandonOrder(
            Bigshop_Orders_V1_AbandonOrderRequest(orderId: request.orderId, reason: request.reason))
    }

    func startHoldOrder(
        request: Bigshop_Orchestrator_V1_StartHoldOrderRequest,
        context: ServerContext
    ) async throws -> Bigshop_Orders_V1_Order {
        throw RPCError(.unimplemented)
    }

    func beginPayment(
        request: Bigshop_Orchestrator_V1_BeginPaymentRequest,
        context: ServerContext
    ) async throws -> Bigshop_Orchestrator_V1_BeginPaymentResponse {
        throw RPCError(.unimplemented)
    }

    func completePayment(
        request: Bigshop_Orchestrator_V1_CompletePaymentRequest,
        context: ServerContext
    ) async throws -> Bigshop_Orders_V1_Order {
        throw RPCError(.unimplemented)
    }
}
