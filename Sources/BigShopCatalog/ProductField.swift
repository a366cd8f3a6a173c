import BigRPC
import BigShopCatalogAPI
import BigShopServiceKit
import WellKnownProtos

/// A product field that UpdateProduct may change, spelled as in
/// `update_mask.paths`.
///
/// `id` names the product, `sku` is its permanent key, and the timestamps are
/// output only: none of them can be updated.
enum ProductField: String, CaseIterable, Sendable {
    case name
    case description
    case priceCents = "price_cents"
    case stock
    case category
    case categoryID = "category_id"

    /// Product fields that exist but are never updated: naming one in a mask
    /// is INVALID_ARGUMENT with its own message.
    private static let immutablePaths: Set<String> = ["id", "sku", "created_at_ms", "updated_at_ms"]

    /// The fields an UpdateProduct request changes, in declaration order,
    /// following AIP-134: the mask's paths; or, when the mask is absent or
    /// empty, every updatable field that `product` sets to a non-default value.
    ///
    /// - Throws: INVALID_ARGUMENT naming the first path that is not an
    ///   updatable field.
    static func fieldsToUpdate(mask: Google_Protobuf_FieldMask?, product: Bigshop_Catalog_V1_Product) throws(RPCError) -> [ProductField] {
        try UpdateMask.fields(mask, immutablePaths: immutablePaths) { $0.isSet(in: product) }
    }

    /// Whether `product` holds a non-default value in this field.
    func isSet(in product: Bigshop_Catalog_V1_Product) -> Bool {
        switch self {
        case .name: !product.name.isEmpty
        case .description: !product.description.isEmpty
        case .priceCents: product.priceCents != 0
        case .stock: product.stock != 0
        case .category: !product.category.isEmpty
        case .categoryID: !product.categoryId.isEmpty
        }
    }

    /// Checks this field's value in `product`, naming it `product.<path>`.
    func validate(in product: Bigshop_Catalog_V1_Product) throws(RPCError) {
        let field = "product." + rawValue
        switch self {
        case .name: try ProductValidation.name(product.name, field: field)
        case .description: try ProductValidation.description(product.description, field: field)
        case .priceCents: try ProductValidation.priceCents(product.priceCents, field: field)
        case .stock: try ProductValidation.stock(product.stock, field: field)
        case .category: try ProductValidation.category(product.category, field: field)
        case .categoryID: break  // checked against the categories, in the write
        }
    }

    /// Copies this field from `source` into `target`.
    func copy(from source: Bigshop_Catalog_V1_Product, to target: inout Bigshop_Catalog_V1_Product) {
        switch self {
        case .name: target.name = source.name
        case .description: target.description = source.description
        case .priceCents: target.priceCents = source.priceCents
        case .stock: target.stock = source.stock
        case .category: target.category = source.category
        case .categoryID: target.categoryId = source.categoryId
        }
    }
}
