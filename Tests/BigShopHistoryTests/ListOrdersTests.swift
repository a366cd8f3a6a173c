import BigRPC
import BigShopHistoryAPI
import BigShopOrdersAPI
import BigShopTestSupport
import Testing

@Suite("HistoryService.ListOrders")
struct ListOrdersTests {
    @Test("A customer pages through their own orders, newest first, across pages")
    func paginationNewestFirst() async throws {
        try await HistoryHarness.with { shop in
            var mine: [Bigshop_Orders_V1_Order] = []
            for index in 0..<10 {
                if index % 4 == 3 {
                    try await shop.placeOrder(for: "bob")
                } else {
                    mine.append(try await shop.placeOrder(for: "alice"))
                }
                shop.clock.advance(byMs: 1_000)
            }
            try await shop.confirm(mine[0].id)
            var pages: [[String]] = []
            var token = ""
            repeat {
                let page = try await shop.history.listOrders(
                    .init(pageSize: 3, pageToken: token), metadata: TestPrincipalInterceptor.customer("alice"))
                pages.append(page.orders.map(\.id))
                #expect(page.orders.allSatisfy { $0.userId == "alice" })
                token = page.nextPageToken
            } while !token.isEmpty
            #expect(pages.map(\.count) == [3, 3, 2])
            #expect(pages.flatMap { $0 } == mine.reversed().map(\.id))

            let all = try await shop.history.listOrders(.init(), metadata: TestPrincipalInterceptor.customer("alice"))
            #expect(all.orders.count == 8)
            #expect(all.orders.last?.status == .confirmed)
            #expect(all.orders.map(\.createdAtMs) == all.orders.map(\.createdAtMs).sorted(by: >))
            #expect(all.nextPageToken.isEmpty)
        }
    }

    @Test("An admin sees every customer's orders")
    func adminSeesAll() async throws {
        try await HistoryHarness.with { shop in
            var ids: [String] = []
            for user in ["alice", "bob", "carol", "alice"] {
                ids.append(try await shop.placeOrder(for: user).id)
            }
            var seen: [String] = []
            var token = ""
            repeat {
                let page = try await shop.history.listOrders(
                    .init(pageSize: 3, pageToken: token), metadata: TestPrincipalInterceptor.admin())
                seen += page.orders.map(\.id)
                token = page.nextPageToken
            } while !token.isEmpty
            #expect(seen == ids.reversed())
            let bob = try await shop.history.listOrders(.init(), metadata: TestPrincipalInterceptor.customer("bob"))
            #expect(bob.orders.map(\.id) == [ids[1]])
        }
    }

    @Test("A bad page size or token is INVALID_ARGUMENT; no caller is UNAUTHENTICATED")
    func refusals() async throws {
        try await HistoryHarness.with { shop in
            let alice = TestPrincipalInterceptor.customer("alice")
            await expectRPCError(.invalidArgument) { _ = try await shop.history.listOrders(.init(pageSize: -1), metadata: alice) }
            await expectRPCError(.invalidArgument) {
                _ = try await shop.history.listOrders(.init(pageToken: "%%%"), metadata: alice)
            }
            await expectRPCError(.unauthenticated) { _ = try await shop.history.listOrders(.init()) }
        }
    }
}
