/// A service a server can expose: generated service protocols refine this and
/// register their methods' handlers with the router.
public protocol RegistrableRPCService: Sendable {
    func registerMethods(with router: inout RPCRouter)
}
