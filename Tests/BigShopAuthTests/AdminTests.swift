import BigRPC
import BigShopAuthAPI
import Testing

@testable import BigShopAuth

@Suite("CreateAdmin and the startup admin")
struct AdminTests {
    @Test func anAdminCreatesAnAdminWhoCanSignIn() async throws {
        try await withAuth { harness in
            let admin = try await harness.adminSession()
            let created = try await harness.auth.createAdmin(
                Bigshop_Auth_V1_RegisterRequest(email: "Bia@Example.com", password: "another password", name: "Bia"),
                metadata: bearer(admin.token)
            )
            #expect(created.role == .admin)
            #expect(created.email == "bia@example.com")

            let session = try await harness.login("bia@example.com", "another password")
            #expect(session.user?.role == .admin)
            let principal = try await harness.authenticate(session.token)
            #expect(principal.role == .admin)
        }
    }

    @Test func aCustomerIsDeniedByTheServiceItself() async throws {
        try await withAuth { harness in
            // TestGateway checks no roles: this is the provider's own check.
            let customer = try await harness.customerSession()
            let error = await #expect(throws: RPCError.self) {
                try await harness.auth.createAdmin(
                    Bigshop_Auth_V1_RegisterRequest(email: "evil@example.com", password: "12345678"),
                    metadata: bearer(customer.token)
                )
            }
            #expect(error?.code == .permissionDenied)
            let login = await #expect(throws: RPCError.self) {
                try await harness.login("evil@example.com", "12345678")
            }
            #expect(login?.code == .unauthenticated)
        }
    }

    @Test func anonymousCallersAreUnauthenticated() async throws {
        try await withAuth { harness in
            let error = await #expect(throws: RPCError.self) {
                try await harness.auth.createAdmin(
                    Bigshop_Auth_V1_RegisterRequest(email: "x@example.com", password: "12345678")
                )
            }
            #expect(error?.code == .unauthenticated)
        }
    }

    @Test func createAdminValidatesLikeRegister() async throws {
        try await withAuth { harness in
            let admin = try await harness.adminSession()
            _ = try await harness.customerSession(email: "ana@example.com")
            let taken = await #expect(throws: RPCError.self) {
                try await harness.auth.createAdmin(
                    Bigshop_Auth_V1_RegisterRequest(email: "ana@example.com", password: "12345678"),
                    metadata: bearer(admin.token)
                )
            }
            #expect(taken?.code == .alreadyExists)
            let invalid = await #expect(throws: RPCError.self) {
                try await harness.auth.createAdmin(
                    Bigshop_Auth_V1_RegisterRequest(email: "new@example.com", password: "short"),
                    metadata: bearer(admin.token)
                )
            }
            #expect(invalid?.code == .invalidArgument)
            #expect(invalid?.message.hasPrefix("password") == true)
        }
    }

    @Test func ensureAdminIsIdempotent() async throws {
        try await withAuth { harness in
            let first = try await harness.module.ensureAdmin(email: "Root@Example.com", password: "admin password")
            guard case .created(let userID) = first else {
                Issue.record("expected a new admin, got \(first)")
                return
            }
            let second = try await harness.module.ensureAdmin(email: "root@example.com", password: "a different one")
            #expect(second == .alreadyPresent(userID: userID))

            // The configured password of an existing admin is not applied.
            let session = try await harness.login("root@example.com", "admin password")
            #expect(session.user?.id == userID)
            #expect(session.user?.role == .admin)
            #expect(session.user?.name == "Administrator")
        }
    }

    @Test func ensureAdminDoesNotPromoteACustomer() async throws {
        try await withAuth { harness in
            _ = try await harness.customerSession(email: "root@example.com", password: "customer password")
            await #expect(throws: AuthSetupError.adminEmailBelongsToCustomer(email: "root@example.com")) {
                try await harness.module.ensureAdmin(email: "root@example.com", password: "admin password")
            }
            let session = try await harness.login("root@example.com", "customer password")
            #expect(session.user?.role == .customer)
        }
    }

    @Test func ensureAdminRefusesAnInvalidAccount() async throws {
        try await withAuth { harness in
            await #expect(throws: AuthSetupError.invalidAdminAccount("password must be at least 8 characters")) {
                try await harness.module.ensureAdmin(email: "root@example.com", password: "short")
            }
            await #expect(throws: AuthSetupError.invalidAdminAccount("email is not a valid email address")) {
                try await harness.module.ensureAdmin(email: "root", password: "long enough")
            }
        }
    }
}
