import BigRPC
import BigShopAuthAPI
import BigShopServerTestSupport
import Testing

/// `AuthService.CreateCustomers`: the admin's batch of password-less
/// customers, each with a session, for load rehearsals.
@Suite struct CreateCustomersTests {
    static func batch(_ emails: [String]) -> Bigshop_Auth_V1_CreateCustomersRequest {
        .init(customers: emails.map { .init(email: $0, name: "Cliente") })
    }

    @Test func anAdminMakesCustomersThatActThroughTheirSessions() async throws {
        try await withShop { shop in
            let admin = try await shop.admin()
            let response = try await admin.auth.createCustomers(Self.batch(["Um@Rehearsal.test", "dois@rehearsal.test"]))
            #expect(response.customers.count == 2)
            #expect(Set(response.customers.map(\.token)).count == 2)
            #expect(response.customers.allSatisfy { $0.expiresAtMs > 0 && !$0.userId.isEmpty })
            let first = shop.clients(token: response.customers[0].token)
            let user = try await first.auth.whoAmI(.init())
            #expect(user.id == response.customers[0].userId)
            #expect(user.email == "um@rehearsal.test")
            #expect(user.role == .customer)
            // A customer, not an admin.
            #expect(await code(try await first.auth.createCustomers(Self.batch(["tres@rehearsal.test"]))) == .permissionDenied)
            // No password opens the account.
            for password in ["", "12345678", "none", "Cliente"] {
                #expect(await code(try await shop.clients().auth.login(.init(email: "um@rehearsal.test", password: password))) == .unauthenticated)
            }
        }
    }

    @Test func aBatchIsAllOrNothing() async throws {
        try await withShop { shop in
            let admin = try await shop.admin()
            _ = try await shop.clients().auth.register(.init(email: "taken@rehearsal.test", password: "customer-password", name: "Ana"))
            #expect(await code(try await admin.auth.createCustomers(Self.batch(["new@rehearsal.test", "TAKEN@rehearsal.test"]))) == .alreadyExists)
            // Nothing of the refused batch was made: the other email is free.
            #expect(try await admin.auth.createCustomers(Self.batch(["new@rehearsal.test"])).customers.count == 1)
            #expect(await code(try await admin.auth.createCustomers(Self.batch(["twice@rehearsal.test", "Twice@rehearsal.test"]))) == .alreadyExists)
        }
    }

    @Test func invalidBatchesNameTheField() async throws {
        try await withShop { shop in
            let admin = try await shop.admin()
            let empty = await rpcError(try await admin.auth.createCustomers(.init()))
            #expect(empty?.code == .invalidArgument)
            let tooMany = await rpcError(try await admin.auth.createCustomers(Self.batch((0...200).map { "c\($0)@r.test" })))
            #expect(tooMany?.code == .invalidArgument && tooMany?.message.contains("200") == true)
            let badEmail = await rpcError(try await admin.auth.createCustomers(Self.batch(["ok@r.test", "not-an-email"])))
            #expect(badEmail?.code == .invalidArgument && badEmail?.message.contains("customers[1]") == true)
            let badName = await rpcError(
                try await admin.auth.createCustomers(.init(customers: [.init(email: "ok@r.test", name: "Ana\u{202E}")])))
            #expect(badName?.code == .invalidArgument && badName?.message.contains("customers[0]") == true)
        }
    }

    @Test func twoHundredCustomersFitOneCall() async throws {
        try await withShop { shop in
            let admin = try await shop.admin()
            let response = try await admin.auth.createCustomers(
                Self.batch((0..<200).map { "rehearsal-run-\($0)@rehearsal.bigshop.test" }))
            #expect(response.customers.count == 200)
        }
    }
}
