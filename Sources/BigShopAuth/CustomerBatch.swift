import BigRPC
import BigShopAuthAPI
import Foundation

/// The customers of one CreateCustomers call, checked and normalized: 1 to
/// ``maxCount`` of them, each email and name under the rules of
/// ``NewAccount`` (there is no password), no email twice.
///
/// These accounts exist for load rehearsals (`bigprobe rehearse`): they are
/// created without a password, so no hash is computed, and they sign in only
/// through the session CreateCustomers returns. That is the fast path that
/// keeps the hashing cost of real accounts at its default.
struct CustomerBatch: Sendable {
    /// The most customers one call makes: their sessions (about 120 bytes
    /// each) fit the default 64 KiB payload many times over, and one
    /// transaction stays short.
    static let maxCount = 200

    /// Normalized emails and trimmed names, in the request's order.
    var customers: [(email: String, name: String)]

    init(_ request: Bigshop_Auth_V1_CreateCustomersRequest) throws(RPCError) {
        guard !request.customers.isEmpty else { throw RPCError(.invalidArgument, "customers must not be empty") }
        guard request.customers.count <= Self.maxCount else {
            throw RPCError(.invalidArgument, "customers must hold at most \(Self.maxCount) customers")
        }
        var seen = Set<String>()
        customers = []
        customers.reserveCapacity(request.customers.count)
        for (index, customer) in request.customers.enumerated() {
            guard let email = NewAccount.normalizeEmail(customer.email) else {
                throw RPCError(.invalidArgument, "customers[\(index)].email must be at most \(NewAccount.maxEmailBytes) bytes")
            }
            if let problem = NewAccount.emailProblem(email) {
                throw RPCError(.invalidArgument, "customers[\(index)]: \(problem)")
            }
            guard customer.name.utf8.count <= NewAccount.maxNameBytes * 4 else {
                throw RPCError(.invalidArgument, "customers[\(index)].name must be at most \(NewAccount.maxNameBytes) bytes")
            }
            let name = customer.name.trimmingCharacters(in: .whitespacesAndNewlines)
            if let problem = NewAccount.nameProblem(name) {
                throw RPCError(.invalidArgument, "customers[\(index)]: \(problem)")
            }
            guard seen.insert(email).inserted else {
                throw RPCError(.alreadyExists, "customers[\(index)].email is given twice")
            }
            customers.append((email, name))
        }
    }
}
