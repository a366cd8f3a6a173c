import BigShopServerTestSupport
import Foundation
import Testing

/// `bigprobe call`: JSON in and out, every call shape, errors and exit codes.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct CallTests {
    let probe = Probe()
    static let listProducts = "bigshop.catalog.v1.CatalogService/ListProducts"
    static let getProduct = "bigshop.catalog.v1.CatalogService/GetProduct"
    static let testService = "bigrpc.testing.v1.TestService"

    @Test func aUnaryCallPrintsTheResponseAsJSON() async throws {
        try await withDemoShop { shop in
            let result = try await probe.run(["call", shop.endpoint, Self.listProducts, "-d", #"{"pageSize": 2}"#])
            #expect(result.exitCode == 0, "\(result.stderr)")
            let products = try #require(try result.json()["products"] as? [[String: Any]])
            #expect(products.count == 2)
            // int64 prints as a string, lowerCamelCase names.
            #expect(products.allSatisfy { $0["priceCents"] is String && $0["createdAtMs"] is String })
            #expect(try result.json()["nextPageToken"] is String)
        }
    }

    @Test func protoNamesAreAcceptedAndTheResponseRoundTrips() async throws {
        try await withDemoShop { shop in
            let list = try await probe.run(["call", shop.endpoint, Self.listProducts, "-d", #"{"page_size": 1}"#, "--compact"])
            #expect(list.exitCode == 0)
            #expect(list.stdout.split(separator: "\n").count == 1)
            let product = try #require((try list.json()["products"] as? [[String: Any]])?.first)
            let id = try #require(product["id"] as? String)
            let get = try await probe.run(["call", shop.endpoint, Self.getProduct, "-d", #"{"id": "\#(id)"}"#, "--compact"])
            #expect(get.exitCode == 0)
            #expect(try get.json()["name"] as? String == product["name"] as? String)
        }
    }

    @Test func notFoundExitsWith69AndPrintsTheStatus() async throws {
        try await withDemoShop { shop in
            let result = try await probe.run(["call", shop.endpoint, Self.getProduct, "-d", #"{"id": "prd_missing"}"#])
            #expect(result.exitCode == 69)
            #expect(result.stdout.isEmpty)
            let lines = result.stderr.split(separator: "\n")
            #expect(lines.first?.hasPrefix("ERROR NOT_FOUND (5): ") == true)
            #expect(lines.first?.contains("prd_missing") == true)
            #expect(lines.dropFirst().contains { $0.hasPrefix("  x-request-id: ") })
        }
    }

    @Test func trailersOfARefusalArePrinted() async throws {
        try await withDemoShop { shop in
            let result = try await probe.run([
                "call", shop.endpoint, "\(Self.testService)/UnaryCall",
                "-d", #"{"responseStatus": {"code": 9, "message": "refused here"}}"#,
            ])
            #expect(result.exitCode == 73)
            #expect(result.stderr.hasPrefix("ERROR FAILED_PRECONDITION (9): refused here\n"))
        }
    }

    @Test func aMissingTokenIsUnauthenticated() async throws {
        try await withDemoShop { shop in
            let result = try await probe.run(["call", shop.endpoint, "bigshop.auth.v1.AuthService/WhoAmI"])
            #expect(result.exitCode == 80)
            #expect(result.stderr.contains("UNAUTHENTICATED"))
        }
    }

    @Test func anUnknownJSONFieldIsNamedBeforeAnyCall() async throws {
        try await withDemoShop { shop in
            let result = try await probe.run(["call", shop.endpoint, Self.getProduct, "-d", #"{"idd": "x"}"#])
            #expect(result.exitCode == 64)
            #expect(result.stderr.contains(#"unknown field "idd" in bigshop.catalog.v1.GetProductRequest"#))
        }
    }

    @Test func badInputIsAUsageError() async throws {
        try await withDemoShop { shop in
            for arguments in [
                ["call", shop.endpoint, "bigshop.catalog.v1.CatalogService/Nope"],
                ["call", shop.endpoint, Self.getProduct, "-d", "{"],
                ["call", shop.endpoint, Self.getProduct, "-d", "{} {}"],
                ["call", shop.endpoint, Self.getProduct, "-H", "no colon"],
                ["call", shop.endpoint, Self.getProduct, "-H", "bad key!: x"],
                ["call", "localhost", Self.getProduct],
            ] {
                let result = try await probe.run(arguments)
                #expect(result.exitCode == 64, "\(arguments)")
                #expect(!result.stderr.isEmpty)
            }
        }
    }

    @Test func headersAreSent() async throws {
        try await withDemoShop { shop in
            let result = try await probe.run([
                "call", shop.endpoint, "\(Self.testService)/EmptyCall", "-H", "X-Request-Id: probe-req-1", "--verbose",
            ])
            #expect(result.exitCode == 0)
            #expect(result.stdout == "{}\n")
            #expect(result.stderr.contains("x-request-id: probe-req-1\n"))
        }
    }

    @Test func maxTimeBoundsTheCall() async throws {
        try await withDemoShop { shop in
            let request = #"{"responseParameters": [{"size": 1, "intervalUs": 3000000}]}"#
            let result = try await probe.run([
                "call", shop.endpoint, "\(Self.testService)/StreamingOutputCall", "-d", request, "--max-time", "0.3",
            ])
            #expect(result.exitCode == 68)
            #expect(result.stderr.contains("DEADLINE_EXCEEDED"))
        }
    }

    @Test func aHugeMaxTimeIsAVeryLongDeadlineNotACrash() async throws {
        // Issue 11: 1e10 s used to overflow into a trap when it became a timer.
        try await withDemoShop { shop in
            for maxTime in ["10000000000", "1e300", "inf"] {
                let call = try await probe.run(["call", shop.endpoint, "\(Self.testService)/EmptyCall", "--max-time", maxTime])
                #expect(call.exitCode == 0, "--max-time \(maxTime): \(call.stderr)")
                let health = try await probe.run(["health", shop.endpoint, "--max-time", maxTime])
                #expect(health.exitCode == 0, "health --max-time \(maxTime): \(health.stderr)")
            }
            let bench = try await probe.run([
                "bench", shop.endpoint, "\(Self.testService)/EmptyCall", "-n", "3", "--max-time", "1e300",
            ])
            #expect(bench.exitCode == 0, "\(bench.stderr)")
            let nonsense = try await probe.run(["health", shop.endpoint, "--max-time", "nan"])
            #expect(nonsense.exitCode == 64)
        }
    }

    @Test func serverStreamingPrintsOneDocumentPerMessage() async throws {
        try await withDemoShop { shop in
            let request = #"{"responseParameters": [{"size": 3}, {"size": 1}, {"size": 2, "intervalUs": 1000}]}"#
            let result = try await probe.run([
                "call", shop.endpoint, "\(Self.testService)/StreamingOutputCall", "-d", request, "--compact",
            ])
            #expect(result.exitCode == 0)
            #expect(result.stdout == #"{"payload":"AAAA"}"# + "\n" + #"{"payload":"AA=="}"# + "\n" + #"{"payload":"AAA="}"# + "\n")
        }
    }

    @Test func clientStreamingReadsSeveralObjectsFromStandardInput() async throws {
        try await withDemoShop { shop in
            let result = try await probe.run(
                ["call", shop.endpoint, "\(Self.testService)/StreamingInputCall", "-d", "@", "--compact"],
                input: "{\"payload\": \"AAE=\"}\n{\"payload\": \"AAECAw\"}\n{}\n"
            )
            #expect(result.exitCode == 0, "\(result.stderr)")
            #expect(result.stdout == #"{"aggregatedPayloadSize":6}"# + "\n")
        }
    }

    @Test func clientStreamingWithNoMessages() async throws {
        try await withDemoShop { shop in
            let result = try await probe.run(["call", shop.endpoint, "\(Self.testService)/StreamingInputCall"])
            #expect(result.exitCode == 0)
            #expect(result.stdout == "{}\n")
        }
    }

    @Test func bidirectionalStreamingAnswersEachRequest() async throws {
        try await withDemoShop { shop in
            let requests = #"{"responseParameters": [{"size": 2}]} {"responseParameters": [{"size": 1}, {"size": 4}]}"#
            let result = try await probe.run([
                "call", shop.endpoint, "\(Self.testService)/FullDuplexCall", "-d", requests, "--compact",
            ])
            #expect(result.exitCode == 0)
            #expect(result.stdout == [#"{"payload":"AAA="}"#, #"{"payload":"AA=="}"#, #"{"payload":"AAAAAA=="}"#].joined(separator: "\n") + "\n")
        }
    }

    @Test func theRequestMayComeFromAFile() async throws {
        try await withDemoShop { shop in
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("bigprobe-request-\(UUID().uuidString).json")
            try #"{"pageSize": 1}"#.write(to: file, atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(at: file) }
            let result = try await probe.run(["call", shop.endpoint, Self.listProducts, "-d", "@" + file.path])
            #expect(result.exitCode == 0)
            #expect((try result.json()["products"] as? [Any])?.count == 1)
        }
    }

    @Test func noServerIsUnavailable() async throws {
        let result = try await probe.run(["call", "127.0.0.1:1", Self.listProducts])
        #expect(result.exitCode == 78)
        #expect(result.stderr.hasPrefix("ERROR UNAVAILABLE (14): "))
    }
}
