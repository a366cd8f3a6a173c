import BigShopCatalog
import BigShopFlashSale
import BigShopFlashSaleAPI
import Foundation
import Logging

/// The demo flash sale of `--seed-demo`: on a shop with no campaign yet, 24
/// hourly drops of 100 demo iPhones at R$ 1,00, the first a minute after
/// start, so that a newcomer sees the flash sale at once (`ListCampaigns`,
/// `bigprobe rehearse`).
enum DemoCampaign {
    /// Schedules the demo campaign if the shop has none, and logs when its
    /// first drop opens.
    static func seed(catalog: CatalogModule, flashSale: FlashSaleModule, logger: Logger) async throws {
        guard let product = try await catalog.demoFlashSaleProduct() else {
            logger.notice("no demo campaign: the demo iPhone is not in the catalog")
            return
        }
        guard flashSale.isOwner else {
            logger.notice("no demo campaign seeded here: another replica owns the flash sale")
            return
        }
        guard let campaign = try await flashSale.seedDemoCampaign(productID: product.id, productName: product.name) else { return }
        let firstDrop = Date(timeIntervalSince1970: Double(campaign.startsAtMs) / 1000)
        logger.notice(
            "demo flash sale scheduled: \(campaign.drops) hourly drops of \(campaign.unitsPerDrop) units at \(campaign.priceCents) centavos, the first at \(firstDrop.formatted(.iso8601)) (in a minute)",
            metadata: ["campaign-id": "\(campaign.id)", "product-id": "\(campaign.productId)"])
    }
}
