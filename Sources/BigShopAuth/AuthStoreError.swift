/// A row of the Auth database that this version cannot read.
enum AuthStoreError: Error, CustomStringConvertible {
    case unknownRole(String)

    var description: String {
        switch self {
        case .unknownRole(let role): "unknown role '\(role)' in the users table"
        }
    }
}
