import BigShopServerTestSupport
import ChildProcess
import Foundation
import Testing

/// The OpenAPI document `scripts/generate` makes from the `.proto` files,
/// checked against a live shop: it is what `/openapi.json` serves, every
/// path answers with a documented status, 200 answers carry only the
/// fields their schema names, and every documented error status occurs.
@Suite("OpenAPI document", .timeLimit(.minutes(3)))
struct OpenAPIDocumentTests {
    static var committed: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/BigShopServer/Storefront/openapi.json")
    }

    @Test func everyPathAnswersAndEveryDocumentedStatusOccurs() async throws {
        let document = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: Self.committed)) as? [String: Any])
        let paths = try #require(document["paths"] as? [String: [String: Any]])
        let schemas = try #require((document["components"] as? [String: Any])?["schemas"] as? [String: [String: Any]])
        #expect(paths.count >= 29, "\(paths.keys.sorted())")

        try await HTTPEdgeTests.withEdge(configure: {
            $0.rateLimit = true
            $0.rateLimits.reservePerUser = .init(perSecond: 0.01, burst: 1)
            $0.rateLimits.perUser = .init(perSecond: 1_000, burst: 1_000)
            $0.rateLimits.perAddress = .init(perSecond: 1_000, burst: 1_000)
            $0.rateLimits.registerPerAddress = .init(perSecond: 1_000, burst: 1_000)
            $0.rateLimits.loginPerAddress = .init(perSecond: 1_000, burst: 1_000)
        }) { _, http in
            let served = try await http.send("GET", "/openapi.json", headers: [:])
            let committedBytes = try Data(contentsOf: Self.committed)
            #expect(served.status == 200 && served.body == committedBytes)

            let customer = try await HTTPEdgeTests.signUp(http, "openapi")
            var seen: Set<Int> = []
            for (path, item) in paths.sorted(by: { $0.key < $1.key }) {
                let operation = try #require(item["post"] as? [String: Any], "\(path) has no POST")
                let responses = try #require(operation["responses"] as? [String: [String: Any]])
                let documented = Set(responses.keys.compactMap(Int.init))
                // Logout as the customer would end the session the sweep uses.
                let callers: [String?] = path.hasSuffix("/Logout") ? [nil] : [nil, customer]
                for token in callers {
                    let streams = (responses["200"]?["content"] as? [String: Any])?["text/event-stream"] != nil
                    let answer = try await http.send(
                        "POST", path, body: Data("{}".utf8), token: token,
                        headers: ["content-type": "application/json"].merging(streams ? ["accept": "text/event-stream"] : [:]) { $1 })
                    #expect(documented.contains(answer.status), "\(path): \(answer.status) \(answer.text)")
                    seen.insert(answer.status)
                    guard answer.status == 200, !streams else { continue }
                    let schemaName = try #require(
                        (((responses["200"]?["content"] as? [String: Any])?["application/json"] as? [String: Any])?["schema"]
                            as? [String: Any])?["$ref"] as? String)
                    let properties = schemas[String(schemaName.split(separator: "/").last!)]?["properties"] as? [String: Any] ?? [:]
                    for key in answer.json.keys {
                        #expect(properties[key] != nil, "\(path): \(key) is not in \(schemaName)")
                    }
                }
            }

            // The statuses an empty request cannot reach.
            let email = "openapi-dup-\(UUID().uuidString.prefix(6))@example.com"
            for _ in 0..<2 {
                let answer = try await http.call(
                    "bigshop.auth.v1.AuthService/Register", ["email": email, "password": "customer-password"])
                seen.insert(answer.status)
            }
            seen.insert(try await http.call("bigshop.catalog.v1.CatalogService/GetProduct", ["id": "prd_nope"]).status)
            for _ in 0..<2 {
                seen.insert(try await http.call("bigshop.flashsale.v1.FlashSaleService/Reserve", ["campaignId": "cmp_x"], token: customer).status)
            }
            let documentedErrors = Set(paths.values.flatMap { ($0["post"] as? [String: Any])?["responses"] as? [String: Any] ?? [:] }.map(\.key))
            #expect(Set(seen.map(String.init)) == documentedErrors, "seen \(seen.sorted())")
        }
    }
}
