/// The `reason` trailers of the category methods' refusals.
public enum CategoryRefusalReason {
    /// DeleteCategory: live products or sub-categories still belong to it
    /// (FAILED_PRECONDITION).
    public static let notEmpty = "CATEGORY_NOT_EMPTY"
    /// CreateCategory, UpdateCategory: the tree would pass three levels
    /// (INVALID_ARGUMENT).
    public static let tooDeep = "CATEGORY_TOO_DEEP"
    /// UpdateCategory: the new parent is the category itself or below it
    /// (INVALID_ARGUMENT).
    public static let cycle = "CATEGORY_CYCLE"
    /// CreateCategory: there are already ``CatalogLimits/maxCategories``
    /// categories (FAILED_PRECONDITION).
    public static let tooMany = "TOO_MANY_CATEGORIES"
}
