/// The JSON form of `google.protobuf.FieldMask`: its paths in lowerCamelCase,
/// joined by commas (`paths: ["price_cents", "name"]` ↔ `"priceCents,name"`),
/// converted as protobuf's own JSON mapping does.
enum FieldMaskPaths {
    static let messageName = "google.protobuf.FieldMask"

    /// A path that has no form in the other notation.
    struct InvalidPath: Error {
        let path: String
    }

    /// The JSON string of `paths`. A path with an uppercase letter, or a `_`
    /// not followed by a lowercase letter, has no JSON form.
    static func json(_ paths: [String]) throws(InvalidPath) -> String {
        var converted: [String] = []
        for path in paths {
            var result = ""
            var afterUnderscore = false
            for scalar in path.unicodeScalars {
                guard !("A"..."Z").contains(scalar) else { throw InvalidPath(path: path) }
                if afterUnderscore {
                    guard ("a"..."z").contains(scalar) else { throw InvalidPath(path: path) }
                    result.unicodeScalars.append(Unicode.Scalar(scalar.value - 32)!)
                    afterUnderscore = false
                } else if scalar == "_" {
                    afterUnderscore = true
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
            guard !afterUnderscore else { throw InvalidPath(path: path) }
            converted.append(result)
        }
        return converted.joined(separator: ",")
    }

    /// The snake_case paths of a JSON FieldMask string. A path holding `_`,
    /// or an empty one, is refused.
    static func paths(_ json: String) throws(InvalidPath) -> [String] {
        guard !json.isEmpty else { return [] }
        var paths: [String] = []
        for path in json.split(separator: ",", omittingEmptySubsequences: false) {
            var result = ""
            for scalar in path.unicodeScalars {
                guard scalar != "_" else { throw InvalidPath(path: String(path)) }
                if ("A"..."Z").contains(scalar) {
                    result += "_"
                    result.unicodeScalars.append(Unicode.Scalar(scalar.value + 32)!)
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
            guard !result.isEmpty else { throw InvalidPath(path: String(path)) }
            paths.append(result)
        }
        return paths
    }
}
