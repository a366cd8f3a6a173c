import BigRPC
import BigShopServiceKit
import WellKnownProtos

/// The AIP-134 field masks of UpdateProduct and UpdateCategory.
enum UpdateMask {
    /// The fields an update changes, in declaration order: the mask's paths;
    /// or, when the mask is absent or empty, every field that `isSet` says
    /// the patch sets to a non-default value.
    ///
    /// - Throws: INVALID_ARGUMENT naming the first path that is not an
    ///   updatable field (one of `immutablePaths` with a message of its own).
    static func fields<Field: RawRepresentable & CaseIterable & Hashable>(
        _ mask: Google_Protobuf_FieldMask?, immutablePaths: Set<String>, isSet: (Field) -> Bool
    ) throws(RPCError) -> [Field] where Field.RawValue == String {
        let paths = mask?.paths ?? []
        guard !paths.isEmpty else { return Field.allCases.filter(isSet) }
        var named: Set<Field> = []
        for path in paths {
            guard let field = Field(rawValue: path) else {
                if immutablePaths.contains(path) {
                    throw RPCError(.invalidArgument, "update_mask.paths: \"\(path.statusPrefix())\" cannot be updated")
                }
                throw RPCError(.invalidArgument, "update_mask.paths: unknown field \"\(path.statusPrefix())\"")
            }
            named.insert(field)
        }
        return Field.allCases.filter(named.contains)
    }
}
