import Synchronization

/// The session token of a signed-in ``BigShopClient``, shared by its calls.
final class SessionToken: Sendable {
    private let token = Mutex<String?>(nil)

    var value: String? {
        get { token.withLock { $0 } }
        set { token.withLock { $0 = newValue } }
    }
}
