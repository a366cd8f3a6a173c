import BigRPC
import BigShopFlashSaleAPI
import BigShopServerTestSupport
import Foundation
import Synchronization
import Testing

/// The flash sale under kill -9: a real `bigshop serve` is killed in the middle
/// of a Reserve race and restarted on the same data. Every hold a customer was
/// told about is still there, no unit is sold twice, and
/// sold + held + remaining = units released.
@Suite(.serialized, .timeLimit(.minutes(5)))
struct FlashSaleCrashTests {
    final class Granted: Sendable {
        let reservations = Mutex<[Bigshop_Flashsale_V1_Reservation]>([])
    }

    @Test func holdsSurviveAKillInTheMiddleOfARace() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bigshop-flash-crash-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let server = try ServerProcess(dataDirectory: directory)
        try await server.start()

        let admin = try await ShopClients.admin(port: server.port)
        let product = try await admin.catalog.createProduct(.init(sku: "IPHONE-CRASH", name: "iPhone", priceCents: 599_900, stock: 1))
        // Starts at the current hour: drop 0 is open, with 100 units.
        let campaign = try await admin.flashSale.scheduleCampaign(.init(productId: product.id))
        var registered: [ShopClients] = []
        for index in 0..<150 { registered.append(try await ShopClients.newCustomer(port: server.port, name: "f\(index)")) }
        let customers = registered

        let granted = Granted()
        let race = Task {
            await withTaskGroup(of: Void.self) { group in
                for customer in customers {
                    group.addTask {
                        // Each customer presses until it gets a unit, sees it sold
                        // out or at its limit, or the server goes away for good.
                        for _ in 0..<40 {
                            do {
                                let reservation = try await customer.flashSale.reserve(
                                    .init(campaignId: campaign.id), options: CallOptions(timeout: .seconds(5))
                                )
                                granted.reservations.withLock { $0.append(reservation) }
                                return
                            } catch let error as RPCError where error.metadata["reason"] != nil {
                                return
                            } catch {
                                try? await Task.sleep(for: .milliseconds(50))
                            }
                        }
                    }
                }
            }
        }
        // Kill the server as soon as the first holds were granted.
        for _ in 0..<200 where granted.reservations.withLock({ $0.count }) < 3 {
            try await Task.sleep(for: .milliseconds(5))
        }
        await server.kill9()
        let beforeKill = granted.reservations.withLock { $0 }
        try await server.start()
        await race.value
        let all = granted.reservations.withLock { $0 }
        #expect(beforeKill.count >= 1)

        // Sell out after the restart, then check the books.
        let late = try await ShopClients.newCustomer(port: server.port, name: "late")
        _ = try? await late.flashSale.reserve(.init(campaignId: campaign.id))
        let drop = try await ShopClients(port: server.port, token: nil).flashSale.getCurrentDrop(.init(campaignId: campaign.id))
        #expect(await server.terminate() == 0)

        let databases = ShopDatabases(directory: directory)
        let holds = try await databases.query("flashsale", "SELECT order_id, unit, state, user_id FROM holds")
        var live: [String: (unit: Int64, user: String)] = [:]
        for row in holds where try row.string(2) != "released" {
            live[try row.string(0)] = (try row.int64(1), try row.string(3))
        }
        for reservation in all {
            #expect(live[reservation.orderId] != nil, "hold of order \(reservation.orderId) answered OK was lost")
        }
        #expect(Set(live.values.map(\.unit)).count == live.count, "a unit is in two live holds")
        #expect(Set(live.values.map(\.user)).count == live.count, "a customer holds two units of one drop")
        #expect(live.count + Int(drop.remaining) == Int(drop.unitsReleased), "sold + held + remaining != released")
        #expect(drop.unitsReleased == 100)
        let orders = try await databases.orderStatuses()
        for order in live.keys {
            #expect(orders[order] == "PENDING_PAYMENT", "hold \(order) has no pending order")
        }
    }
}
