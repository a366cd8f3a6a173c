public import BigRPC
public import BigShopCatalogAPI
import BigShopServiceKit
import BigShopStore
import Logging

/// `bigshop.catalog.v1.CatalogService`: the public catalog, with the contract
/// (roles, validation, skus, soft deletes, stock, listing) in
/// `proto/bigshop/catalog/v1/catalog.proto`. Get one from ``CatalogModule``.
///
/// The gateway enforces the roles before a call arrives; the writes check
/// again. Listing uses keyset page tokens (see
/// ``CatalogServiceProvider/listProducts(request:context:)``).
public struct CatalogServiceProvider: Bigshop_Catalog_V1_CatalogService.ServiceProtocol {
    let database: Database
    let clock: any ShopClock
    let logger: Logger

    init(database: Database, clock: any ShopClock, logger: Logger) {
        self.database = database
        self.clock = clock
        self.logger = logger
    }

    /// Admin. Creates a product with a new `prd_…` id; `created_at_ms` and
    /// `updated_at_ms` are now. Invalid field: INVALID_ARGUMENT; a live
    /// product has the sku: ALREADY_EXISTS.
    public func createProduct(
        request: Bigshop_Catalog_V1_CreateProductRequest,
        context: ServerContext
    ) async throws -> Bigshop_Catalog_V1_Product {
        try context.requireAdmin()
        try ProductValidation.sku(request.sku, field: "sku")
        try ProductValidation.name(request.name, field: "name")
        try ProductValidation.description(request.description, field: "description")
        try ProductValidation.priceCents(request.priceCents, field: "price_cents")
        try ProductValidation.stock(request.stock, field: "stock")
        try ProductValidation.category(request.category, field: "category")
        let draft = Bigshop_Catalog_V1_Product(
            id: ShopID.make("prd"), sku: request.sku, name: request.name, description: request.description,
            priceCents: request.priceCents, stock: request.stock, category: request.category,
            categoryId: request.categoryId)
        let clock = self.clock
        let product = try await database.write { connection in
            try Self.requireCategory(draft.categoryId, field: "category_id", in: connection)
            guard try !ProductStore.liveSKUExists(draft.sku, in: connection) else {
                throw RPCError(.alreadyExists, "a product with sku \(draft.sku.statusPrefix()) already exists")
            }
            var product = draft
            product.createdAtMs = clock.nowMs()
            product.updatedAtMs = product.createdAtMs
            try ProductStore.insert(product, in: connection)
            return product
        }
        context.logger(logger).info(
            "product created",
            metadata: [
                "product-id": "\(product.id)", "sku": "\(product.sku)", "stock": "\(product.stock)",
            ])
        return product
    }

    /// Admin. Changes the fields `update_mask` names (AIP-134): `name`,
    /// `description`, `price_cents`, `stock`, `category`, `category_id`. An empty mask means
    /// every one of those that `product` sets to a non-default value (so it
    /// cannot zero a field: name the path for that); with none set, the
    /// product is returned unchanged. `id`, `sku` and the timestamps cannot
    /// be updated: an empty mask ignores them, a path naming one is
    /// INVALID_ARGUMENT.
    ///
    /// Missing `product` or `product.id`, an unknown or immutable path, an
    /// invalid value in a masked field: INVALID_ARGUMENT. Unknown or deleted
    /// id: NOT_FOUND.
    public func updateProduct(
        request: Bigshop_Catalog_V1_UpdateProductRequest,
        context: ServerContext
    ) async throws -> Bigshop_Catalog_V1_Product {
        try context.requireAdmin()
        guard let patch = request.product else { throw RPCError(.invalidArgument, "product is required") }
        guard !patch.id.isEmpty else { throw RPCError(.invalidArgument, "product.id is required") }
        let fields = try ProductField.fieldsToUpdate(mask: request.updateMask, product: patch)
        for field in fields { try field.validate(in: patch) }
        let clock = self.clock
        let product = try await database.write { connection in
            guard let stored = try ProductStore.find(id: patch.id, in: connection), !stored.isDeleted else {
                throw RPCError(.notFound, "no product \(patch.id.statusPrefix())")
            }
            guard !fields.isEmpty else { return stored.product }
            if fields.contains(.categoryID) {
                try Self.requireCategory(patch.categoryId, field: "product.category_id", in: connection)
            }
            var product = stored.product
            for field in fields { field.copy(from: patch, to: &product) }
            product.updatedAtMs = clock.nowMs()
            try ProductStore.update(product, in: connection)
            return product
        }
        context.logger(logger).info(
            "product updated",
            metadata: [
                "product-id": "\(product.id)", "fields": "\(fields.map(\.rawValue).joined(separator: ","))",
            ])
        return product
    }

    /// Admin. Soft-deletes a product. Missing id: INVALID_ARGUMENT; unknown or
    /// already deleted: NOT_FOUND.
    public func deleteProduct(
        request: Bigshop_Catalog_V1_DeleteProductRequest,
        context: ServerContext
    ) async throws -> Bigshop_Catalog_V1_DeleteProductResponse {
        try context.requireAdmin()
        guard !request.id.isEmpty else { throw RPCError(.invalidArgument, "id is required") }
        let clock = self.clock
        let deleted = try await database.write { connection in
            try ProductStore.markDeleted(id: request.id, atMs: clock.nowMs(), in: connection)
        }
        guard deleted else { throw RPCError(.notFound, "no product \(request.id.statusPrefix())") }
        context.logger(logger).info("product deleted", metadata: ["product-id": "\(request.id)"])
        return Bigshop_Catalog_V1_DeleteProductResponse()
    }

    /// Public. Missing id: INVALID_ARGUMENT; unknown or deleted: NOT_FOUND.
    public func getProduct(
        request: Bigshop_Catalog_V1_GetProductRequest,
        context: ServerContext
    ) async throws -> Bigshop_Catalog_V1_Product {
        guard !request.id.isEmpty else { throw RPCError(.invalidArgument, "id is required") }
        let stored = try await database.read { connection in
            try ProductStore.find(id: request.id, in: connection)
        }
        guard let stored, !stored.isDeleted else {
            throw RPCError(.notFound, "no product \(request.id.statusPrefix())")
        }
        return stored.product
    }

    /// Public. Live products in creation order, `page_size` at a time (0: 50;
    /// capped at 500; negative: INVALID_ARGUMENT).
    ///
    /// `category` filters the label exactly; `category_id` keeps the
    /// category and everything below it (unknown: INVALID_ARGUMENT); `query`
    /// matches a substring of the name or the sku, ignoring case and accents
    /// (so "AGUA" finds "Água"); `%` and `_` are plain characters. Tokens are keyset cursors: products
    /// created while a client pages show up on a later page, none is repeated
    /// or skipped. A token that this service did not issue, or issued for
    /// other filters: INVALID_ARGUMENT.
    public func listProducts(
        request: Bigshop_Catalog_V1_ListProductsRequest,
        context: ServerContext
    ) async throws -> Bigshop_Catalog_V1_ListProductsResponse {
        let pageSize = try PageToken.pageSize(
            request.pageSize, default: CatalogLimits.defaultPageSize, max: CatalogLimits.maxPageSize)
        guard request.category.unicodeScalars.count <= CatalogLimits.maxCategoryLength else {
            throw RPCError(.invalidArgument, "category must be at most \(CatalogLimits.maxCategoryLength) characters")
        }
        guard request.query.unicodeScalars.count <= CatalogLimits.maxQueryLength else {
            throw RPCError(.invalidArgument, "query must be at most \(CatalogLimits.maxQueryLength) characters")
        }
        let cursor = try ProductListCursor.decode(
            request.pageToken, category: request.category, categoryID: request.categoryId, query: request.query)
        let foldedQuery = request.query.foldedForSearch
        let rows = try await database.read { connection in
            if !request.categoryId.isEmpty {
                try Self.requireCategory(request.categoryId, field: "category_id", in: connection)
            }
            return try ProductStore.page(
                afterNumber: cursor?.afterNumber ?? 0, category: request.category, categoryID: request.categoryId,
                foldedQuery: foldedQuery, limit: pageSize + 1, in: connection)
        }
        var response = Bigshop_Catalog_V1_ListProductsResponse(products: rows.prefix(pageSize).map(\.product))
        if rows.count > pageSize {
            response.nextPageToken =
                ProductListCursor(
                    afterNumber: rows[pageSize - 1].number, category: request.category,
                    categoryID: request.categoryId, query: request.query
                ).token
        }
        return response
    }

    /// Fails with INVALID_ARGUMENT naming `field` unless `categoryID` is
    /// empty or a category's id.
    static func requireCategory(_ categoryID: String, field: String, in connection: Connection) throws {
        guard !categoryID.isEmpty else { return }
        guard try CategoryStore.exists(id: categoryID, in: connection) else {
            throw RPCError(.invalidArgument, "\(field): no category \(categoryID.statusPrefix())")
        }
    }
}
