import BigRPC
import BigShopAuthAPI
import BigShopServerTestSupport
import Testing

/// Auth through the gateway, over TCP, as api-v1.md specifies it.
@Suite struct AuthFlowTests {
    @Test func registerLoginWhoAmILogout() async throws {
        try await withShop { shop in
            let anonymous = shop.clients()
            let user = try await anonymous.auth.register(.init(email: "Ana@Example.com ", password: "senha-segura", name: "Ana"))
            #expect(user.role == .customer)
            #expect(user.email == "ana@example.com")
            #expect(!user.id.isEmpty)

            let session = try await anonymous.auth.login(.init(email: "ana@example.com", password: "senha-segura"))
            #expect(session.user?.id == user.id)
            #expect(session.expiresAtMs > 0)
            let signedIn = shop.clients(token: session.token)
            #expect(try await signedIn.auth.whoAmI(.init()) == user)

            _ = try await signedIn.auth.logout(.init())
            #expect(await code(try await signedIn.auth.whoAmI(.init())) == .unauthenticated)
        }
    }

    @Test func registrationErrors() async throws {
        try await withShop { shop in
            let anonymous = shop.clients()
            _ = try await anonymous.auth.register(.init(email: "bia@example.com", password: "12345678", name: "Bia"))
            #expect(await code(try await anonymous.auth.register(.init(email: "BIA@example.com", password: "12345678", name: "B"))) == .alreadyExists)
            let short = await rpcError(try await anonymous.auth.register(.init(email: "c@example.com", password: "1234567", name: "C")))
            #expect(short?.code == .invalidArgument)
            #expect(short?.message.contains("password") == true)
            let badEmail = await rpcError(try await anonymous.auth.register(.init(email: "not-an-email", password: "12345678", name: "C")))
            #expect(badEmail?.code == .invalidArgument)
            #expect(badEmail?.message.contains("email") == true)
        }
    }

    @Test func wrongPasswordAndUnknownEmailLookTheSame() async throws {
        try await withShop { shop in
            let anonymous = shop.clients()
            _ = try await anonymous.auth.register(.init(email: "caio@example.com", password: "12345678", name: "Caio"))
            let wrong = await rpcError(try await anonymous.auth.login(.init(email: "caio@example.com", password: "wrong-password")))
            let unknown = await rpcError(try await anonymous.auth.login(.init(email: "nobody@example.com", password: "wrong-password")))
            #expect(wrong?.code == .unauthenticated)
            #expect(wrong?.code == unknown?.code)
            #expect(wrong?.message == unknown?.message)
        }
    }

    @Test func onlyAdminsCreateAdmins() async throws {
        try await withShop { shop in
            let admin = try await shop.admin()
            let created = try await admin.auth.createAdmin(.init(email: "second-admin@bigshop.test", password: "another-password", name: "Second"))
            #expect(created.role == .admin)
            let (customer, _) = try await shop.newCustomer()
            #expect(await code(try await customer.auth.createAdmin(.init(email: "x@bigshop.test", password: "12345678", name: "X"))) == .permissionDenied)
            #expect(await code(try await shop.clients().auth.createAdmin(.init(email: "y@bigshop.test", password: "12345678", name: "Y"))) == .unauthenticated)
            // A bad or revoked token is refused where one is needed, ignored where none is.
            let forged = shop.clients(token: "not-a-real-token")
            #expect(await code(try await forged.auth.whoAmI(.init())) == .unauthenticated)
            #expect(await code(try await forged.catalog.listProducts(.init())) == nil)
        }
    }
}
