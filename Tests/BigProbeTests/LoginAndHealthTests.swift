import BigShopServerTestSupport
import Foundation
import Testing

/// `bigprobe login` and `bigprobe health`.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct LoginAndHealthTests {
    let probe = Probe()

    var tokenFile: String { probe.configDirectory + "/bigprobe/tokens.json" }

    @Test func loginSavesTheTokenPrivatelyAndLaterCallsSendIt() async throws {
        try await withDemoShop { shop in
            let login = try await probe.run(["login", shop.endpoint, "--email", TestShop.adminEmail], input: TestShop.adminPassword + "\n")
            #expect(login.exitCode == 0, "\(login.stderr)")
            #expect(login.stdout.contains("as \(TestShop.adminEmail) (admin)"))

            let attributes = try FileManager.default.attributesOfItem(atPath: tokenFile)
            #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
            let tokens = try JSONDecoder().decode([String: String].self, from: Data(contentsOf: URL(fileURLWithPath: tokenFile)))
            let token = try #require(tokens[shop.endpoint])

            let whoAmI = try await probe.run(["call", shop.endpoint, "bigshop.auth.v1.AuthService/WhoAmI", "--compact"])
            #expect(whoAmI.exitCode == 0, "\(whoAmI.stderr)")
            #expect(try whoAmI.json()["email"] as? String == TestShop.adminEmail)
            #expect(try whoAmI.json()["role"] as? String == "ROLE_ADMIN")

            // Neither secret is ever printed.
            for output in [login.stdout, login.stderr, whoAmI.stdout, whoAmI.stderr] {
                #expect(!output.contains(token))
                #expect(!output.contains(TestShop.adminPassword))
            }
        }
    }

    @Test func aTokenIsSentOnlyToItsServer() async throws {
        try await withDemoShop { shop in
            let login = try await probe.run(["login", shop.endpoint, "--email", TestShop.adminEmail], input: TestShop.adminPassword + "\n")
            #expect(login.exitCode == 0)
            let elsewhere = "localhost:\(shop.port)"
            let whoAmI = try await probe.run(["call", elsewhere, "bigshop.auth.v1.AuthService/WhoAmI"])
            #expect(whoAmI.exitCode == 80)
        }
    }

    @Test func anExplicitAuthorizationHeaderWins() async throws {
        try await withDemoShop { shop in
            _ = try await probe.run(["login", shop.endpoint, "--email", TestShop.adminEmail], input: TestShop.adminPassword + "\n")
            let result = try await probe.run([
                "call", shop.endpoint, "bigshop.auth.v1.AuthService/WhoAmI", "-H", "authorization: Bearer not-a-token",
            ])
            #expect(result.exitCode == 80)
        }
    }

    @Test func aWrongPasswordIsUnauthenticatedAndSavesNothing() async throws {
        try await withDemoShop { shop in
            let result = try await probe.run(["login", shop.endpoint, "--email", TestShop.adminEmail], input: "wrong-password\n")
            #expect(result.exitCode == 80)
            #expect(result.stderr.contains("UNAUTHENTICATED"))
            #expect(!FileManager.default.fileExists(atPath: tokenFile))
        }
    }

    @Test func loginWithoutAPasswordIsAUsageError() async throws {
        try await withDemoShop { shop in
            let result = try await probe.run(["login", shop.endpoint, "--email", TestShop.adminEmail], input: "")
            #expect(result.exitCode == 64)
        }
    }

    @Test func healthOfAServingServer() async throws {
        try await withDemoShop { shop in
            let result = try await probe.run(["health", shop.endpoint])
            #expect(result.exitCode == 0)
            #expect(result.stdout == "SERVING\n")
            let service = try await probe.run(["health", shop.endpoint, "--service", "bigshop.orders.v1.OrdersService"])
            #expect(service.exitCode == 0)
            let unknown = try await probe.run(["health", shop.endpoint, "--service", "bigshop.nope.v1.Nope"])
            #expect(unknown.exitCode == 69)
        }
    }

    @Test func healthWithNoServerIsUnavailable() async throws {
        let result = try await probe.run(["health", "127.0.0.1:1"])
        #expect(result.exitCode == 78)
        #expect(result.stderr.contains("UNAVAILABLE"))
    }
}
