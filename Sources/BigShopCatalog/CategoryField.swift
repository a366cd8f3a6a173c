import BigRPC
import BigShopCatalogAPI
import BigShopServiceKit
import WellKnownProtos

/// A category field that UpdateCategory may change, spelled as in
/// `update_mask.paths`. `id`, `depth` and the timestamps cannot be updated.
enum CategoryField: String, CaseIterable, Sendable {
    case slug
    case name
    case parentID = "parent_id"
    case position

    private static let immutablePaths: Set<String> = ["id", "depth", "created_at_ms", "updated_at_ms"]

    /// The fields an UpdateCategory request changes (AIP-134): the mask's
    /// paths or, when the mask is empty, every updatable field `category`
    /// sets to a non-default value. Unknown or immutable path: INVALID_ARGUMENT.
    static func fieldsToUpdate(
        mask: Google_Protobuf_FieldMask?, category: Bigshop_Catalog_V1_Category
    ) throws(RPCError) -> [CategoryField] {
        try UpdateMask.fields(mask, immutablePaths: immutablePaths) { $0.isSet(in: category) }
    }

    /// Whether `category` holds a non-default value in this field.
    func isSet(in category: Bigshop_Catalog_V1_Category) -> Bool {
        switch self {
        case .slug: !category.slug.isEmpty
        case .name: !category.name.isEmpty
        case .parentID: !category.parentId.isEmpty
        case .position: category.position != 0
        }
    }

    /// Checks the value alone (the parent's place in the tree is checked
    /// with the tree, in the write).
    func validate(in category: Bigshop_Catalog_V1_Category) throws(RPCError) {
        let field = "category." + rawValue
        switch self {
        case .slug: try CategoryValidation.slug(category.slug, field: field)
        case .name: try CategoryValidation.name(category.name, field: field)
        case .parentID: break
        case .position: try CategoryValidation.position(category.position, field: field)
        }
    }

    /// Copies this field from `source` into `target`.
    func copy(from source: Bigshop_Catalog_V1_Category, to target: inout Bigshop_Catalog_V1_Category) {
        switch self {
        case .slug: target.slug = source.slug
        case .name: target.name = source.name
        case .parentID: target.parentId = source.parentId
        case .position: target.position = source.position
        }
    }
}
