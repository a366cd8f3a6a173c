import BigRPC
import BigShopServiceKit

extension ServerContext {
    /// Refuses callers that are not admins: UNAUTHENTICATED without a
    /// principal, PERMISSION_DENIED with another role. The gateway already
    /// enforces this for public calls; this is defence in depth against a
    /// wiring mistake.
    func requireAdmin() throws(RPCError) {
        guard try requirePrincipal().isAdmin else {
            throw RPCError(.permissionDenied, "this method requires the admin role")
        }
    }
}
