import BigShopStore

/// The notification a committed status change sends to every replica of the
/// orders service sharing its PostgreSQL database: which order, and the `seq`
/// of its new event. Small on purpose: a replica whose watchers care reads the
/// events themselves (``OrderEventFeed``), so a lost or merged notice costs
/// nothing but latency until the next one or the listener's resumption.
enum OrderEventNotice: Sendable, Hashable {
    /// Order `orderID` has committed its event `seq`.
    case changed(orderID: String, seq: Int64)
    /// Some order changed (one whose id does not fit in a notification):
    /// every watcher re-reads.
    case anyOrder

    /// The channel, within the orders schema.
    static let channel = "order_events"

    /// PostgreSQL refuses payloads of 8000 bytes or more.
    private static let maximumPayloadBytes = 7_999

    /// The notice of `event`.
    init(_ event: OrderStatusEvent) {
        let notice = OrderEventNotice.changed(orderID: event.orderID, seq: event.seq)
        self = notice.payload.utf8.count <= Self.maximumPayloadBytes ? notice : .anyOrder
    }

    /// Parses ``payload``; nil for anything else.
    init?(payload: String) {
        if payload == "*" {
            self = .anyOrder
            return
        }
        guard let colon = payload.firstIndex(of: ":"), let seq = Int64(payload[..<colon]), seq > 0 else { return nil }
        let orderID = String(payload[payload.index(after: colon)...])
        guard !orderID.isEmpty else { return nil }
        self = .changed(orderID: orderID, seq: seq)
    }

    /// `<seq>:<order id>`, or `*` for any order.
    var payload: String {
        switch self {
        case .changed(let orderID, let seq): "\(seq):\(orderID)"
        case .anyOrder: "*"
        }
    }
}
