import Synchronization

@testable import BigShopStore

/// What a listener's handler received, in order.
final class HeardNotifications: Sendable {
    private let heard = Mutex<[DatabaseNotification]>([])

    func append(_ notification: DatabaseNotification) { heard.withLock { $0.append(notification) } }
    var all: [DatabaseNotification] { heard.withLock { $0 } }
    var payloads: [String] {
        all.compactMap { if case .payload(let text) = $0 { text } else { nil } }
    }
}
