import BigRPC
import BigShopServiceKit

/// Checks of the category fields callers send, each failing with
/// INVALID_ARGUMENT naming the field.
enum CategoryValidation {
    /// 1-64 characters of a-z and 0-9, in words joined by single hyphens.
    static func slug(_ value: String, field: String) throws(RPCError) {
        guard !value.isEmpty else { throw RPCError(.invalidArgument, "\(field) is required") }
        let isWordCharacter: (UInt8) -> Bool = { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
        let words = value.utf8.split(separator: UInt8(ascii: "-"), omittingEmptySubsequences: false)
        guard value.utf8.count <= CatalogLimits.maxSlugLength,
            words.allSatisfy({ !$0.isEmpty && $0.allSatisfy(isWordCharacter) })
        else {
            throw RPCError(
                .invalidArgument,
                "\(field) must be 1-\(CatalogLimits.maxSlugLength) characters of a-z and 0-9, words joined by single hyphens"
            )
        }
    }

    /// Not blank, at most 100 characters, one line.
    static func name(_ value: String, field: String) throws(RPCError) {
        try ProductValidation.name(value, field: field, maxLength: CatalogLimits.maxCategoryNameLength)
    }

    /// 0 to 1,000,000.
    static func position(_ value: Int32, field: String) throws(RPCError) {
        guard (0...CatalogLimits.maxCategoryPosition).contains(value) else {
            throw RPCError(.invalidArgument, "\(field) must be 0 to \(CatalogLimits.maxCategoryPosition)")
        }
    }

    /// Where a category with a subtree `height` levels tall may hang: under
    /// nothing (a root), or under an existing `parentId` shallow enough.
    /// `movingID` is the category being moved, which may not go under itself.
    ///
    /// - Throws: INVALID_ARGUMENT naming `field`, with reason
    ///   CATEGORY_CYCLE or CATEGORY_TOO_DEEP where one applies.
    static func parent(
        _ parentId: String, field: String, height: Int, movingID: String? = nil, in tree: CategoryTree
    ) throws(RPCError) {
        guard !parentId.isEmpty else { return }
        if let movingID, parentId == movingID || tree.descendants(of: movingID).contains(parentId) {
            throw RPCError.refused(
                CategoryRefusalReason.cycle, "\(field): a category cannot move under itself or its own sub-categories",
                code: .invalidArgument)
        }
        let parentDepth = tree.depth(of: parentId)
        guard parentDepth > 0 else {
            throw RPCError(.invalidArgument, "\(field): no category \(parentId.statusPrefix())")
        }
        guard parentDepth + height <= CatalogLimits.maxCategoryDepth else {
            throw RPCError.refused(
                CategoryRefusalReason.tooDeep,
                "\(field): categories are at most \(CatalogLimits.maxCategoryDepth) levels deep", code: .invalidArgument)
        }
    }
}
