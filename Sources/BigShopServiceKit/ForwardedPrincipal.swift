public import BigRPC

/// The caller as a gateway established it, sent to services on other hosts
/// in `x-bigshop-principal` (the bearer token never leaves the gateway).
///
/// The value is `v1;<user id>;<role>;<session id>;<email, base64url>`.
/// Services accept it only from a peer whose certificate names the gateway;
/// gateways strip every `x-bigshop-*` key that comes from the public side.
public enum ForwardedPrincipal {
    /// The metadata key.
    public static let metadataKey = "x-bigshop-principal"
    /// Keys only BigShop's own processes may set.
    public static let reservedPrefix = "x-bigshop-"

    /// `principal` as the header's value.
    public static func encode(_ principal: Principal) -> String {
        let email = Base64URL.encode(Array(principal.email.utf8))
        return ["v1", principal.userID, principal.role.rawValue, principal.sessionID ?? "", email].joined(separator: ";")
    }

    /// The principal in a header's value; nil when it is malformed.
    public static func decode(_ value: String) -> Principal? {
        let fields = value.split(separator: ";", omittingEmptySubsequences: false)
        guard fields.count == 5, fields[0] == "v1", !fields[1].isEmpty,
            let role = ShopRole(rawValue: String(fields[2])),
            let email = Base64URL.decode(String(fields[4]))
        else { return nil }
        return Principal(
            userID: String(fields[1]), role: role, email: String(decoding: email, as: UTF8.self),
            sessionID: fields[3].isEmpty ? nil : String(fields[3]))
    }

    /// `metadata` without the keys only BigShop's processes may set, nor
    /// the bearer token: what a gateway forwards of a public call's metadata.
    public static func publicPart(of metadata: Metadata) -> Metadata {
        var kept = Metadata()
        for (key, value) in metadata where key != Metadata.authorizationKey && !key.hasPrefix(reservedPrefix) {
            kept[key] = value
        }
        return kept
    }
}
