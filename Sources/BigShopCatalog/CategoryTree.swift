import BigShopCatalogAPI

/// Every category, indexed for the checks that need the whole tree: depth,
/// descendants, and the depth-first order ListCategories answers in.
struct CategoryTree: Sendable {
    private var byID: [String: StoredCategory] = [:]
    private var children: [String: [StoredCategory]] = [:]

    init(_ categories: [StoredCategory]) {
        for stored in categories {
            byID[stored.category.id] = stored
            children[stored.category.parentId, default: []].append(stored)
        }
        for key in children.keys {
            children[key]?.sort { a, b in
                (a.category.position, a.category.name, a.number) < (b.category.position, b.category.name, b.number)
            }
        }
    }

    /// The number of categories.
    var count: Int { byID.count }

    /// The category with `id`, its `depth` filled in.
    func category(id: String) -> Bigshop_Catalog_V1_Category? {
        guard var category = byID[id]?.category else { return nil }
        category.depth = Int32(depth(of: id))
        return category
    }

    /// The category with `slug`, its `depth` filled in.
    func category(slug: String) -> Bigshop_Catalog_V1_Category? {
        byID.values.first { $0.category.slug == slug }.flatMap { category(id: $0.category.id) }
    }

    /// Whether another category than `exceptID` has `slug`.
    func slugIsTaken(_ slug: String, exceptID: String = "") -> Bool {
        byID.values.contains { $0.category.slug == slug && $0.category.id != exceptID }
    }

    /// 1 for a root, 2 for its children, and so on; 0 for an unknown id.
    func depth(of id: String) -> Int {
        var depth = 0
        var current = byID[id]
        // Bounded by the number of categories, so a corrupt cycle in the
        // file cannot loop for ever.
        while let stored = current, depth <= byID.count {
            depth += 1
            current = byID[stored.category.parentId]
        }
        return depth
    }

    /// The levels of the subtree rooted at `id`: 1 for a leaf.
    func height(of id: String) -> Int {
        1 + ((children[id] ?? []).map { height(of: $0.category.id) }.max() ?? 0)
    }

    /// The ids of the categories strictly below `id`.
    func descendants(of id: String) -> Set<String> {
        var found: Set<String> = []
        var pending = [id]
        while let next = pending.popLast() {
            for child in children[next] ?? [] where found.insert(child.category.id).inserted {
                pending.append(child.category.id)
            }
        }
        return found
    }

    /// The number of categories directly below `id`.
    func childCount(of id: String) -> Int { children[id]?.count ?? 0 }

    /// Every category, parents before their children, siblings by position,
    /// then name, then creation.
    func depthFirst() -> [Bigshop_Catalog_V1_Category] {
        var ordered: [Bigshop_Catalog_V1_Category] = []
        ordered.reserveCapacity(byID.count)
        func visit(_ parentId: String, depth: Int32) {
            for child in children[parentId] ?? [] {
                var category = child.category
                category.depth = depth
                ordered.append(category)
                visit(category.id, depth: depth + 1)
            }
        }
        visit("", depth: 1)
        return ordered
    }
}
