import BigRPC
import BigShopAuthAPI
import Testing

@testable import BigShopAuth

@Suite("Register")
struct RegisterTests {
    @Test func makesACustomerWithANormalizedEmailAndTrimmedName() async throws {
        try await withAuth { harness in
            let user = try await harness.auth.register(
                Bigshop_Auth_V1_RegisterRequest(
                    email: "  Ana.Souza@Example.COM ", password: "12345678", name: "  Ana Souza \n"
                ))
            #expect(user.id.hasPrefix("usr_"))
            #expect(user.email == "ana.souza@example.com")
            #expect(user.name == "Ana Souza")
            #expect(user.role == .customer)
        }
    }

    @Test func acceptsAnEmptyNameAndLimitsExactly() async throws {
        try await withAuth { harness in
            let user = try await harness.auth.register(
                Bigshop_Auth_V1_RegisterRequest(
                    email: "a@b.co", password: String(repeating: "p", count: 1024), name: ""
                ))
            #expect(user.name == "")
            let named = try await harness.auth.register(
                Bigshop_Auth_V1_RegisterRequest(
                    email: "c@b.co", password: "çççççççç", name: String(repeating: "n", count: 200)
                ))
            #expect(named.name.count == 200)
        }
    }

    @Test func refusesATakenEmailWhateverItsCase() async throws {
        try await withAuth { harness in
            _ = try await harness.register("ana@example.com", "12345678")
            let error = await #expect(throws: RPCError.self) {
                try await harness.register("ANA@example.com ", "abcdefgh")
            }
            #expect(error?.code == .alreadyExists)
        }
    }

    /// Issue 11: a full-width look-alike of a taken email is that email.
    @Test func aFullWidthLookAlikeIsTheSameAccount() async throws {
        try await withAuth { harness in
            let user = try await harness.register("ana@example.com", "correct horse")
            let taken = await #expect(throws: RPCError.self) {
                try await harness.register("\u{FF41}\u{FF4E}\u{FF41}@ｅｘａｍｐｌｅ．ｃｏｍ", "another password")
            }
            #expect(taken?.code == .alreadyExists)
            // Login normalizes the same way: the look-alike signs in as the account.
            let session = try await harness.login("ＡＮＡ@example.com", "correct horse")
            #expect(session.user?.id == user.id)
        }
    }

    @Test func storesALookAlikeUnderItsPlainForm() async throws {
        try await withAuth { harness in
            let user = try await harness.register("ｂｉａ@example.com", "correct horse")
            #expect(user.email == "bia@example.com")
            #expect(try await harness.login("bia@example.com", "correct horse").user?.id == user.id)
        }
    }

    @Test(arguments: [
        ("", "12345678", "", "email"),
        ("joa\u{303}o@example.com", "12345678", "", "email"),
        ("ana@ex\u{0430}mple.com", "12345678", "", "email"),
        ("ana@example.com", "12345678", "\u{202E}Ana", "name"),
        ("ana@example.com", "12345678", "An\u{200B}a", "name"),
        ("ana", "12345678", "", "email"),
        ("ana@", "12345678", "", "email"),
        ("@example.com", "12345678", "", "email"),
        ("ana@example", "12345678", "", "email"),
        ("ana@@example.com", "12345678", "", "email"),
        ("ana souza@example.com", "12345678", "", "email"),
        ("ana@exa mple.com", "12345678", "", "email"),
        ("ana@-example.com", "12345678", "", "email"),
        ("ana@example..com", "12345678", "", "email"),
        (".ana@example.com", "12345678", "", "email"),
        ("ana@10.0.0.1", "12345678", "", "email"),
        ("ana@example.com", "1234567", "", "password"),
        ("ana@example.com", "", "", "password"),
        ("ana@example.com", String(repeating: "p", count: 1025), "", "password"),
        ("ana@example.com", "12345678", String(repeating: "n", count: 201), "name"),
        ("ana@example.com", "12345678", "Ana\u{7}", "name"),
        ("ana@example.com", "12345678", "Ana\nSouza", "name"),
    ])
    func refusesInvalidFieldsNamingTheField(email: String, password: String, name: String, field: String) async throws {
        try await withAuth { harness in
            let error = await #expect(throws: RPCError.self) {
                try await harness.register(email, password, name: name)
            }
            #expect(error?.code == .invalidArgument)
            #expect(error?.message.hasPrefix(field) == true, "\(error?.message ?? "")")
            // The message names the field; it never quotes what was sent.
            #expect((error?.message.count ?? 0) <= 200)
        }
    }

    @Test func concurrentRegistrationsOfOneEmailHaveExactlyOneWinner() async throws {
        try await withAuth { harness in
            let outcomes = try await withThrowingTaskGroup(of: StatusCode.self) { group in
                for attempt in 0..<8 {
                    group.addTask {
                        do {
                            _ = try await harness.auth.register(
                                Bigshop_Auth_V1_RegisterRequest(
                                    email: "race@example.com", password: "password \(attempt)"
                                ))
                            return .ok
                        } catch let error as RPCError {
                            return error.code
                        }
                    }
                }
                return try await group.reduce(into: [StatusCode]()) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 == .ok }.count == 1)
            #expect(outcomes.filter { $0 == .alreadyExists }.count == 7)
        }
    }
}
