public import BigShopOrdersAPI
public import Logging

/// The history service, assembled like the other modules: the public
/// `HistoryService` over the orders service's `OrderLedger`. It has no
/// database and no work of its own, so nothing to run or close.
public struct HistoryModule: Sendable {
    /// `bigshop.history.v1.HistoryService`, for the public server.
    public let historyService: HistoryServiceProvider

    /// - Parameter orderLedger: a client of the orders service's `OrderLedger`.
    public init(orderLedger: Bigshop_Orders_V1_OrderLedger.Client, logger: Logger = Logger(label: "bigshop.history")) {
        historyService = HistoryServiceProvider(ledger: orderLedger, logger: logger)
    }
}
