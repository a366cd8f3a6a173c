import BigRPC
import BigShopServiceKit

/// Where a page of ListProducts ends: the `number` of its last product, plus a
/// fingerprint of the filters the page was listed with.
///
/// Keyset pagination on the insertion counter: products created while a
/// client pages appear after everything listed so far (on a later page), and
/// none is skipped or repeated. A token only continues the listing it came
/// from: sent with another `category` or `query`, it is INVALID_ARGUMENT
/// (AIP-158); the page size may change between pages.
struct ProductListCursor {
    /// The last product number already listed.
    var afterNumber: Int64
    /// ``fingerprint(category:categoryID:query:)`` of the listing's filters.
    var filters: String

    private static let version = "p1"

    init(afterNumber: Int64, category: String, categoryID: String, query: String) {
        self.afterNumber = afterNumber
        self.filters = Self.fingerprint(category: category, categoryID: categoryID, query: query)
    }

    /// The opaque `next_page_token`.
    var token: String {
        PageToken([Self.version, String(afterNumber), filters]).encoded
    }

    /// The cursor of a `page_token` sent with the given filters, or nil for the
    /// first page (an empty token).
    ///
    /// - Throws: INVALID_ARGUMENT naming `page_token` if it is not a token this
    ///   service issued, or was issued for other filters.
    static func decode(
        _ token: String, category: String, categoryID: String, query: String
    ) throws(RPCError) -> ProductListCursor? {
        guard let fields = try PageToken.decode(token, fieldCount: 3)?.fields else { return nil }
        guard fields[0] == version, let number = Int64(fields[1]), number >= 0 else {
            throw RPCError(.invalidArgument, "page_token is not a token this server issued")
        }
        let cursor = ProductListCursor(afterNumber: number, category: category, categoryID: categoryID, query: query)
        guard cursor.filters == fields[2] else {
            throw RPCError(.invalidArgument, "page_token was issued for a different category, category_id or query")
        }
        return cursor
    }

    /// FNV-1a (64-bit) of the filters, in hex: stable across processes, unlike
    /// `Hasher`, so tokens survive a restart. `categoryID` joins the hashed
    /// bytes only when set, so tokens issued before it existed stay valid.
    static func fingerprint(category: String, categoryID: String, query: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        var bytes = Array(category.utf8) + [0] + Array(query.utf8)
        if !categoryID.isEmpty { bytes += [0] + Array(categoryID.utf8) }
        for byte in bytes {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
        return String(hash, radix: 16)
    }
}
