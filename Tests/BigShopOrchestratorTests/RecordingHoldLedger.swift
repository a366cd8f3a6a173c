import BigRPC
import BigShopFlashSaleAPI
import Synchronization

/// Stands in for the flash sale's `HoldLedger`: records which orders' holds
/// the saga committed and released.
final class RecordingHoldLedger: Bigshop_Flashsale_V1_HoldLedger.ServiceProtocol {
    private let calls = Mutex<(commits: [String], releases: [String])>(([], []))

    /// The order ids of every CommitHold, in order (repeats included).
    var commits: [String] { calls.withLock { $0.commits } }
    /// The order ids of every ReleaseHold, in order (repeats included).
    var releases: [String] { calls.withLock { $0.releases } }

    func commitHold(
        request: Bigshop_Flashsale_V1_SettleHoldRequest,
        context: ServerContext
    ) async throws -> Bigshop_Flashsale_V1_SettleHoldResponse {
        calls.withLock { $0.commits.append(request.orderId) }
        return Bigshop_Flashsale_V1_SettleHoldResponse()
    }

    func releaseHold(
        request: Bigshop_Flashsale_V1_SettleHoldRequest,
        context: ServerContext
    ) async throws -> Bigshop_Flashsale_V1_SettleHoldResponse {
        calls.withLock { $0.releases.append(request.orderId) }
        return Bigshop_Flashsale_V1_SettleHoldResponse()
    }
}
