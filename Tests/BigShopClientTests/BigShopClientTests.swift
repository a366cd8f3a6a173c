import BigRPC
import BigRPCTestingProtos
import BigShopAuthAPI
import BigShopCatalogAPI
import BigShopClient
import BigShopOrdersAPI
import BigShopServerTestSupport
import Foundation
import Testing

/// `BigShopClient` against a real server: the service clients, the session,
/// the default deadline.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct BigShopClientTests {
    @Test func everyServiceAnswersThroughThePool() async throws {
        try await withDemoShop { shop in
            let client = BigShopClient(host: "127.0.0.1", port: shop.port)
            #expect(try await client.health.check(.init()).status == .serving)
            let page = try await client.catalog.listProducts(.init(pageSize: 3))
            #expect(page.products.count == 3)
            let product = try await client.catalog.getProduct(.init(id: page.products[0].id))
            #expect(product == page.products[0])
            #expect(await statusCode { try await client.flashSale.getCurrentDrop(.init(campaignId: "cmp_missing")) } == .notFound)
            await client.close()
        }
    }

    @Test func loginSetsTheTokenAndLogoutForgetsIt() async throws {
        try await withDemoShop { shop in
            let client = BigShopClient(host: "127.0.0.1", port: shop.port)
            let email = "ana-\(UUID().uuidString.prefix(8).lowercased())@client.test"
            _ = try await client.auth.register(.init(email: email, password: "ana-password-1", name: "Ana"))
            #expect(!client.isLoggedIn)
            #expect(await statusCode { try await client.auth.whoAmI(.init()) } == .unauthenticated)

            let session = try await client.login(email: email, password: "ana-password-1")
            #expect(client.isLoggedIn)
            #expect(session.user?.email == email)
            #expect(try await client.auth.whoAmI(.init()).email == email)
            let cart = try await client.orders.getCart(.init())
            #expect(cart.items.isEmpty)
            #expect(try await client.history.listOrders(.init()).orders.isEmpty)

            try await client.logout()
            #expect(!client.isLoggedIn)
            #expect(await statusCode { try await client.auth.whoAmI(.init()) } == .unauthenticated)
            // The server revoked the session too.
            #expect(
                await statusCode {
                    try await client.auth.whoAmI(.init(), metadata: ["authorization": "Bearer \(session.token)"])
                } == .unauthenticated)
            await client.close()
        }
    }

    @Test func aWrongPasswordLeavesTheClientSignedOut() async throws {
        try await withDemoShop { shop in
            let client = BigShopClient(host: "127.0.0.1", port: shop.port)
            #expect(await statusCode { try await client.login(email: TestShop.adminEmail, password: "wrong") } == .unauthenticated)
            #expect(!client.isLoggedIn)
            await client.close()
        }
    }

    @Test func callsWithASingleResponseGetTheDefaultDeadline() async throws {
        try await withDemoShop { shop in
            var configuration = BigShopClient.Configuration()
            configuration.defaultTimeout = .milliseconds(200)
            let client = BigShopClient(host: "127.0.0.1", port: shop.port, configuration: configuration)
            let code = await statusCode {
                try await client.rpcClient.clientStreaming(
                    method: Bigrpc_Testing_V1_TestService.Method.streamingInputCall,
                    requestType: Bigrpc_Testing_V1_StreamingInputCallRequest.self,
                    responseType: Bigrpc_Testing_V1_StreamingInputCallResponse.self
                ) { _ in try await Task.sleep(for: .seconds(2)) }.message
            }
            #expect(code == .deadlineExceeded)
            await client.close()
        }
    }

    @Test func streamingResponsesGetNoDefaultDeadline() async throws {
        try await withDemoShop { shop in
            var configuration = BigShopClient.Configuration()
            configuration.defaultTimeout = .milliseconds(200)
            let client = BigShopClient(host: "127.0.0.1", port: shop.port, configuration: configuration)
            let request = Bigrpc_Testing_V1_StreamingOutputCallRequest(responseParameters: [
                .init(size: 1, intervalUs: 300_000), .init(size: 1, intervalUs: 300_000),
            ])
            let count = try await client.rpcClient.serverStreaming(
                request: request,
                method: Bigrpc_Testing_V1_TestService.Method.streamingOutputCall,
                responseType: Bigrpc_Testing_V1_StreamingOutputCallResponse.self
            ) { responses in
                try await responses.reduce(0) { count, _ in count + 1 }
            }
            #expect(count == 2)
            await client.close()
        }
    }
}
