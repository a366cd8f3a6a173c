import BigRPC

/// Checks of the product fields callers send, each failing with
/// INVALID_ARGUMENT naming the field (`name`, `product.name`...).
enum ProductValidation {
    /// 1-64 printable ASCII characters without spaces.
    static func sku(_ value: String, field: String) throws(RPCError) {
        guard !value.isEmpty else { throw RPCError(.invalidArgument, "\(field) is required") }
        guard value.utf8.count <= CatalogLimits.maxSKULength, value.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) else {
            throw RPCError(
                .invalidArgument,
                "\(field) must be 1-\(CatalogLimits.maxSKULength) printable ASCII characters without spaces")
        }
    }

    /// Not blank, at most `maxLength` characters (a product's 200 by
    /// default), one line.
    static func name(_ value: String, field: String, maxLength: Int = CatalogLimits.maxNameLength) throws(RPCError) {
        guard !value.allSatisfy(\.isWhitespace) else { throw RPCError(.invalidArgument, "\(field) must not be empty") }
        try text(value, field: field, maxLength: maxLength, allowsLineBreaks: false)
    }

    /// At most 5,000 characters; line breaks and tabs allowed.
    static func description(_ value: String, field: String) throws(RPCError) {
        try text(value, field: field, maxLength: CatalogLimits.maxDescriptionLength, allowsLineBreaks: true)
    }

    /// May be empty; at most 100 characters, one line.
    static func category(_ value: String, field: String) throws(RPCError) {
        try text(value, field: field, maxLength: CatalogLimits.maxCategoryLength, allowsLineBreaks: false)
    }

    /// 0 to R$ 1.000.000.000,00 in centavos.
    static func priceCents(_ value: Int64, field: String) throws(RPCError) {
        guard value >= 0 else { throw RPCError(.invalidArgument, "\(field) must not be negative") }
        guard value <= CatalogLimits.maxPriceCents else {
            throw RPCError(.invalidArgument, "\(field) must be at most \(CatalogLimits.maxPriceCents)")
        }
    }

    /// 0 to 1,000,000,000 units.
    static func stock(_ value: Int64, field: String) throws(RPCError) {
        guard value >= 0 else { throw RPCError(.invalidArgument, "\(field) must not be negative") }
        guard value <= CatalogLimits.maxStock else {
            throw RPCError(.invalidArgument, "\(field) must be at most \(CatalogLimits.maxStock)")
        }
    }

    /// A length in Unicode scalars (proportional to the bytes stored, unlike
    /// grapheme clusters) and no control characters but, where allowed, line
    /// breaks and tabs.
    private static func text(_ value: String, field: String, maxLength: Int, allowsLineBreaks: Bool) throws(RPCError) {
        var count = 0
        for scalar in value.unicodeScalars {
            count += 1
            guard count <= maxLength else {
                throw RPCError(.invalidArgument, "\(field) must be at most \(maxLength) characters")
            }
            if scalar.properties.generalCategory == .control
                && !(allowsLineBreaks && (scalar == "\n" || scalar == "\r" || scalar == "\t"))
            {
                throw RPCError(.invalidArgument, "\(field) must not contain control characters")
            }
        }
    }
}
