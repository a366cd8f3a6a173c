import BigShopAuthAPI
import BigShopServiceKit

extension ShopRole {
    /// The role as the API spells it.
    var proto: Bigshop_Auth_V1_Role {
        switch self {
        case .customer: .customer
        case .admin: .admin
        }
    }
}
