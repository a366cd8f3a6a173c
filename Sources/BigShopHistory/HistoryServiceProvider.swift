public import BigRPC
public import BigShopHistoryAPI
public import BigShopOrdersAPI
import BigShopServiceKit
public import Logging

/// The public `bigshop.history.v1.HistoryService` (contract in
/// `proto/bigshop/history/v1/history.proto`): the caller's order history and
/// live order status, read through the orders service's internal
/// `OrderLedger`. It keeps no data of its own.
public struct HistoryServiceProvider: Bigshop_History_V1_HistoryService.ServiceProtocol {
    private let ledger: Bigshop_Orders_V1_OrderLedger.Client
    private let logger: Logger

    /// - Parameter ledger: a client of the orders service's `OrderLedger`.
    public init(ledger: Bigshop_Orders_V1_OrderLedger.Client, logger: Logger = Logger(label: "bigshop.history")) {
        self.ledger = ledger
        self.logger = logger
    }

    /// The caller's orders (an admin's: everyone's), newest first. Page size
    /// 0 takes the default; a negative one or a foreign token is
    /// INVALID_ARGUMENT.
    public func listOrders(
        request: Bigshop_History_V1_ListOrdersRequest,
        context: ServerContext
    ) async throws -> Bigshop_History_V1_ListOrdersResponse {
        let principal = try context.requirePrincipal()
        let page = try await ledger.listOrdersOf(
            Bigshop_Orders_V1_ListOrdersOfRequest(
                userId: principal.isAdmin ? "" : principal.userID,
                pageSize: request.pageSize,
                pageToken: request.pageToken))
        return Bigshop_History_V1_ListOrdersResponse(orders: page.orders, nextPageToken: page.nextPageToken)
    }

    /// Streams the order's status changes, after checking that the caller
    /// owns it (or is an admin).
    public func watchOrder(
        request: Bigshop_History_V1_WatchOrderRequest,
        response: RPCWriter<Bigshop_History_V1_OrderEvent>,
        context: ServerContext
    ) async throws {
        let principal = try context.requirePrincipal()
        let orderID = request.orderId
        guard !orderID.isEmpty else { throw RPCError(.invalidArgument, "order_id must not be empty") }
        let notFound = RPCError(.notFound, "order \(orderID.statusPrefix()) not found")
        let order: Bigshop_Orders_V1_Order
        do {
            order = try await ledger.lookupOrder(Bigshop_Orders_V1_LookupOrderRequest(orderId: orderID))
        } catch let error as RPCError where error.code == .notFound {
            throw notFound
        }
        guard order.userId == principal.userID || principal.isAdmin else { throw notFound }
        context.logger(logger).debug("watching order", metadata: ["order-id": "\(orderID)", "user-id": "\(principal.userID)"])
        try await ledger.watchOrderEvents(Bigshop_Orders_V1_WatchOrderEventsRequest(orderId: orderID)) { changes in
            for try await change in changes {
                try await response.write(
                    Bigshop_History_V1_OrderEvent(
                        orderId: change.orderId, status: change.status, atMs: change.atMs, reason: change.reason))
            }
        }
    }
}
