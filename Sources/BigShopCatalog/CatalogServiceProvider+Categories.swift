public import BigRPC
public import BigShopCatalogAPI
import BigShopServiceKit
import BigShopStore
import Logging

/// The category methods; their contract is in
/// `proto/bigshop/catalog/v1/catalog.proto`.
extension CatalogServiceProvider {
    /// Admin. Creates a category with a new `cat_…` id under `parent_id`
    /// (empty: a root).
    public func createCategory(
        request: Bigshop_Catalog_V1_CreateCategoryRequest,
        context: ServerContext
    ) async throws -> Bigshop_Catalog_V1_Category {
        try context.requireAdmin()
        try CategoryValidation.slug(request.slug, field: "slug")
        try CategoryValidation.name(request.name, field: "name")
        try CategoryValidation.position(request.position, field: "position")
        let clock = self.clock
        let category = try await database.write { connection in
            let tree = try CategoryStore.tree(in: connection)
            guard tree.count < CatalogLimits.maxCategories else {
                throw RPCError.refused(
                    CategoryRefusalReason.tooMany, "the catalog has its maximum of \(CatalogLimits.maxCategories) categories")
            }
            try CategoryValidation.parent(request.parentId, field: "parent_id", height: 1, in: tree)
            guard !tree.slugIsTaken(request.slug) else {
                throw RPCError(.alreadyExists, "a category with slug \(request.slug) already exists")
            }
            let nowMs = clock.nowMs()
            var category = Bigshop_Catalog_V1_Category(
                id: ShopID.make("cat"), slug: request.slug, name: request.name, parentId: request.parentId,
                position: request.position, createdAtMs: nowMs, updatedAtMs: nowMs)
            try CategoryStore.insert(category, in: connection)
            category.depth = Int32(tree.depth(of: request.parentId) + 1)
            return category
        }
        context.logger(logger).info(
            "category created", metadata: ["category-id": "\(category.id)", "slug": "\(category.slug)"])
        return category
    }

    /// Admin. Changes the fields `update_mask` names (see ``CategoryField``).
    public func updateCategory(
        request: Bigshop_Catalog_V1_UpdateCategoryRequest,
        context: ServerContext
    ) async throws -> Bigshop_Catalog_V1_Category {
        try context.requireAdmin()
        guard let patch = request.category else { throw RPCError(.invalidArgument, "category is required") }
        guard !patch.id.isEmpty else { throw RPCError(.invalidArgument, "category.id is required") }
        let fields = try CategoryField.fieldsToUpdate(mask: request.updateMask, category: patch)
        for field in fields { try field.validate(in: patch) }
        let clock = self.clock
        let category = try await database.write { connection in
            let tree = try CategoryStore.tree(in: connection)
            guard var category = tree.category(id: patch.id) else {
                throw RPCError(.notFound, "no category \(patch.id.statusPrefix())")
            }
            guard !fields.isEmpty else { return category }
            if fields.contains(.parentID), patch.parentId != category.parentId {
                try CategoryValidation.parent(
                    patch.parentId, field: "category.parent_id", height: tree.height(of: patch.id), movingID: patch.id,
                    in: tree)
            }
            if fields.contains(.slug), tree.slugIsTaken(patch.slug, exceptID: patch.id) {
                throw RPCError(.alreadyExists, "a category with slug \(patch.slug) already exists")
            }
            for field in fields { field.copy(from: patch, to: &category) }
            category.updatedAtMs = clock.nowMs()
            try CategoryStore.update(category, in: connection)
            category.depth = Int32(tree.depth(of: category.parentId) + 1)
            return category
        }
        context.logger(logger).info(
            "category updated",
            metadata: ["category-id": "\(category.id)", "fields": "\(fields.map(\.rawValue).joined(separator: ","))"])
        return category
    }

    /// Admin. Deletes an empty category.
    public func deleteCategory(
        request: Bigshop_Catalog_V1_DeleteCategoryRequest,
        context: ServerContext
    ) async throws -> Bigshop_Catalog_V1_DeleteCategoryResponse {
        try context.requireAdmin()
        guard !request.id.isEmpty else { throw RPCError(.invalidArgument, "id is required") }
        try await database.write { connection in
            let tree = try CategoryStore.tree(in: connection)
            guard tree.category(id: request.id) != nil else {
                throw RPCError(.notFound, "no category \(request.id.statusPrefix())")
            }
            let products = try CategoryStore.liveProductCount(id: request.id, in: connection)
            let children = tree.childCount(of: request.id)
            guard products == 0, children == 0 else {
                throw RPCError.refused(
                    CategoryRefusalReason.notEmpty,
                    "category \(request.id) still has \(products) product(s) and \(children) sub-categories")
            }
            try CategoryStore.delete(id: request.id, in: connection)
        }
        context.logger(logger).info("category deleted", metadata: ["category-id": "\(request.id)"])
        return Bigshop_Catalog_V1_DeleteCategoryResponse()
    }

    /// Public. One category by id, or by slug when id is empty.
    public func getCategory(
        request: Bigshop_Catalog_V1_GetCategoryRequest,
        context: ServerContext
    ) async throws -> Bigshop_Catalog_V1_Category {
        guard !request.id.isEmpty || !request.slug.isEmpty else {
            throw RPCError(.invalidArgument, "id or slug is required")
        }
        let tree = try await database.read { connection in try CategoryStore.tree(in: connection) }
        let found = request.id.isEmpty ? tree.category(slug: request.slug) : tree.category(id: request.id)
        guard let found else {
            let key = request.id.isEmpty ? request.slug : request.id
            throw RPCError(.notFound, "no category \(key.statusPrefix())")
        }
        return found
    }

    /// Public. The whole tree, depth-first.
    public func listCategories(
        request: Bigshop_Catalog_V1_ListCategoriesRequest,
        context: ServerContext
    ) async throws -> Bigshop_Catalog_V1_ListCategoriesResponse {
        let tree = try await database.read { connection in try CategoryStore.tree(in: connection) }
        return Bigshop_Catalog_V1_ListCategoriesResponse(categories: tree.depthFirst())
    }
}
