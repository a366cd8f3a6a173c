import BigRPC
import BigShopCatalogAPI

/// An InventoryService that knows a fixed set of products: for prices the
/// real catalog refuses (it caps them far below what overflows a total).
struct FixedInventory: Bigshop_Catalog_V1_InventoryService.ServiceProtocol {
    let products: [Bigshop_Catalog_V1_Product]

    func lookupProducts(
        request: Bigshop_Catalog_V1_LookupProductsRequest,
        context: ServerContext
    ) async throws -> Bigshop_Catalog_V1_LookupProductsResponse {
        .init(products: products.filter { request.ids.contains($0.id) })
    }

    func reserveStock(
        request: Bigshop_Catalog_V1_ReserveStockRequest,
        context: ServerContext
    ) async throws -> Bigshop_Catalog_V1_StockReservation {
        throw RPCError(.unimplemented)
    }

    func releaseStock(
        request: Bigshop_Catalog_V1_ReleaseStockRequest,
        context: ServerContext
    ) async throws -> Bigshop_Catalog_V1_StockReservation {
        throw RPCError(.unimplemented)
    }

    func commitStock(
        request: Bigshop_Catalog_V1_CommitStockRequest,
        context: ServerContext
    ) async throws -> Bigshop_Catalog_V1_StockReservation {
        throw RPCError(.unimplemented)
    }
}
