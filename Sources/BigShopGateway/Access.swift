/// Who may call a method, as the method's comment in `proto/bigshop` says.
public enum Access: Hashable, Sendable {
    /// Anyone, with or without a token.
    case `public`
    /// Any valid token, customer or admin.
    case authenticated
    /// A customer (an admin may do all a customer may).
    case customer
    /// Admins only.
    case admin
}
