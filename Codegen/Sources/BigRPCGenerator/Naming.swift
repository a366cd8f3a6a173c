/// Naming rules shared by every emitter: how protobuf names become Swift and
/// protobuf-c identifiers.
enum Naming {
    /// Swift keywords, escaped with backticks where they name something.
    static let swiftKeywords: Set<String> = [
        "associatedtype", "class", "deinit", "enum", "extension", "fileprivate", "func", "import",
        "init", "inout", "internal", "let", "open", "operator", "private", "precedencegroup",
        "protocol", "public", "rethrows", "static", "struct", "subscript", "typealias", "var",
        "break", "case", "catch", "continue", "default", "defer", "do", "else", "fallthrough",
        "for", "guard", "if", "in", "repeat", "return", "throw", "switch", "where", "while",
        "Any", "as", "await", "false", "is", "nil", "super", "throws", "true", "try",
        "package", "optional", "required", "some", "any", "consume", "borrowing", "consuming",
    ]

    /// Names that cannot be used even with backticks, as a property, parameter
    /// or nested type; they get a `_p` suffix as swift-protobuf does.
    static let reservedNames: Set<String> = ["self", "Self", "Type", "Protocol", "init", "deinit", "subscript"]

    /// Escapes `name` for use as a Swift identifier.
    static func escaped(_ name: String) -> String {
        if reservedNames.contains(name) { return name + "_p" }
        if swiftKeywords.contains(name) { return "`\(name)`" }
        return name
    }

    /// `response_size` → `responseSize`, `f_int32` → `fInt32`.
    static func lowerCamel(_ snake: String) -> String {
        let upper = upperCamel(snake)
        guard let first = upper.first else { return upper }
        // Lowercase a leading run of capitals too: `URL_path` → `urlPath`.
        var result = ""
        var index = upper.startIndex
        while index < upper.endIndex, upper[index].isUppercase {
            let next = upper.index(after: index)
            if next < upper.endIndex, upper[next].isLowercase, index != upper.startIndex { break }
            result.append(Character(upper[index].lowercased()))
            index = next
        }
        if result.isEmpty { result = String(first) }
        return result + upper[index...]
    }

    /// `response_size` → `ResponseSize`, `bigrpc` → `Bigrpc`.
    static func upperCamel(_ snake: String) -> String {
        var result = ""
        var capitalizeNext = true
        for character in snake {
            if character == "_" {
                capitalizeNext = true
            } else if capitalizeNext {
                result += character.uppercased()
                capitalizeNext = false
            } else {
                result.append(character)
            }
        }
        return result
    }

    /// The Swift prefix for a proto package: `bigrpc.testing.v1` → `Bigrpc_Testing_V1_`.
    static func packagePrefix(_ package: String) -> String {
        guard !package.isEmpty else { return "" }
        return package.split(separator: ".").map { upperCamel(String($0)) }.joined(separator: "_") + "_"
    }

    /// The name of a nested Swift type for a message or enum declared as `name`.
    static func typeName(_ name: String) -> String {
        reservedNames.contains(name) ? name + "_p" : name
    }

    /// The Swift case name of an enum value: the enum's name is stripped as a
    /// prefix when present (`ORDER_STATUS_PENDING_PAYMENT` in `OrderStatus` →
    /// `pendingPayment`), then the rest is lowerCamelCased.
    static func enumCaseName(value: String, enumName: String) -> String {
        let prefix = enumName.filter { $0 != "_" }.lowercased()
        var remaining = Substring(value)
        var consumed = ""
        while consumed.count < prefix.count, let character = remaining.first {
            remaining = remaining.dropFirst()
            if character != "_" { consumed += character.lowercased() }
        }
        var candidate = value
        if consumed == prefix, remaining.first == "_" {
            let stripped = String(remaining.drop(while: { $0 == "_" }))
            if let first = stripped.first, !first.isNumber {
                candidate = stripped
            }
        }
        return lowerCamel(candidate.lowercased())
    }

    /// protoc-c's `CamelToLower`: an underscore before each capital that
    /// follows a non-capital, then lowercase (`HTTPInner` → `httpinner`,
    /// `SimpleRequest` → `simple_request`).
    static func cCamelToLower(_ name: String) -> String {
        var result = ""
        var wasUpper = true
        for character in name {
            let isUpper = character.isASCII && character.isUppercase
            if isUpper {
                if !wasUpper { result += "_" }
                result += character.lowercased()
            } else {
                result.append(character)
            }
            wasUpper = isUpper
        }
        return result
    }

    /// protoc-c's `FullNameToLower`: `bigrpc.v1.Status` → `bigrpc__v1__status`.
    static func cFullNameToLower(_ fullName: String) -> String {
        fullName.split(separator: ".").map { cCamelToLower(String($0)) }.joined(separator: "__")
    }
}
