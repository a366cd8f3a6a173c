import BigShopServerTestSupport
import Testing

/// `bigprobe list` and `bigprobe describe`, from the shop's reflection.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct ListAndDescribeTests {
    let probe = Probe()

    @Test func listNeedsAServer() async throws {
        let result = try await probe.run(["list"])
        #expect(result.exitCode == 64)
    }

    @Test func listAsksTheServerWhatItExposes() async throws {
        try await withDemoShop { shop in
            let result = try await probe.run(["list", shop.endpoint])
            #expect(result.exitCode == 0)
            let lines = result.stdout.split(separator: "\n")
            for service in [
                "bigshop.auth.v1.AuthService", "bigshop.catalog.v1.CatalogService", "bigshop.orders.v1.OrdersService",
                "bigshop.payments.v1.PaymentsService", "bigshop.history.v1.HistoryService",
                "bigshop.flashsale.v1.FlashSaleService", "bigrpc.health.v1.Health", "bigrpc.reflection.v1.Reflection",
            ] {
                #expect(lines.contains(Substring(service)))
            }
            // Internal services stay internal.
            #expect(!result.stdout.contains("InventoryService"))
        }
    }

    @Test func listAServiceShowsItsMethods() async throws {
        try await withDemoShop { shop in
            let result = try await probe.run(["list", shop.endpoint, "bigshop.history.v1.HistoryService"])
            #expect(result.exitCode == 0)
            #expect(result.stdout == "bigshop.history.v1.HistoryService/ListOrders\nbigshop.history.v1.HistoryService/WatchOrder\n")
        }
    }

    @Test func listAServiceTheServerDoesNotExposeIsNotFound() async throws {
        try await withDemoShop { shop in
            let result = try await probe.run(["list", shop.endpoint, "bigshop.catalog.v1.InventoryService"])
            #expect(result.exitCode == 69)
            #expect(result.stderr.contains("NOT_FOUND"))
        }
    }

    @Test func listWithNoServerIsUnavailable() async throws {
        let result = try await probe.run(["list", "127.0.0.1:1"])
        #expect(result.exitCode == 78)
        #expect(result.stderr.contains("UNAVAILABLE"))
    }

    @Test func describeAService() async throws {
        try await withDemoShop { shop in
            let result = try await probe.run(["describe", shop.endpoint, "bigshop.history.v1.HistoryService"])
            #expect(result.exitCode == 0)
            #expect(
                result.stdout == """
                    // bigshop.history.v1.HistoryService
                    service HistoryService {
                      rpc ListOrders(bigshop.history.v1.ListOrdersRequest) returns (bigshop.history.v1.ListOrdersResponse);
                      rpc WatchOrder(bigshop.history.v1.WatchOrderRequest) returns (stream bigshop.history.v1.OrderEvent);
                    }

                    """)
        }
    }

    @Test func describeAMessageWithAOneof() async throws {
        try await withDemoShop { shop in
            let result = try await probe.run(["describe", shop.endpoint, "bigshop.payments.v1.PayRequest"])
            #expect(result.exitCode == 0)
            #expect(
                result.stdout == """
                    // bigshop.payments.v1.PayRequest
                    message PayRequest {
                      string order_id = 1;
                      oneof {
                        bigshop.payments.v1.PixMethod pix = 2;
                        bigshop.payments.v1.CardMethod card = 3;
                      }
                    }

                    """)
        }
    }

    @Test func describeRepeatedFieldsAndTheFieldMask() async throws {
        try await withDemoShop { shop in
            let streaming = try await probe.run(["describe", shop.endpoint, "bigrpc.testing.v1.StreamingOutputCallRequest"])
            #expect(streaming.stdout.contains("  repeated bigrpc.testing.v1.ResponseParameters response_parameters = 1;\n"))
            #expect(streaming.stdout.contains("  bytes payload = 2;\n"))
            let update = try await probe.run(["describe", shop.endpoint, ".bigshop.catalog.v1.UpdateProductRequest"])
            #expect(update.stdout.contains("  google.protobuf.FieldMask update_mask = 2;\n"))
            let mask = try await probe.run(["describe", shop.endpoint, "google.protobuf.FieldMask"])
            #expect(mask.stdout.contains("  repeated string paths = 1;\n"))
        }
    }

    @Test func describeAMethodShowsItsMessages() async throws {
        try await withDemoShop { shop in
            let result = try await probe.run(["describe", shop.endpoint, "bigshop.catalog.v1.CatalogService.GetProduct"])
            #expect(result.exitCode == 0)
            #expect(
                result.stdout.hasPrefix(
                    "rpc GetProduct(bigshop.catalog.v1.GetProductRequest) returns (bigshop.catalog.v1.Product);\n\n"
                ))
            #expect(result.stdout.contains("message GetProductRequest {\n  string id = 1;\n}\n"))
            #expect(result.stdout.contains("  int64 price_cents = 5;\n"))
        }
    }

    @Test func describeAnEnum() async throws {
        try await withDemoShop { shop in
            let result = try await probe.run(["describe", shop.endpoint, "bigshop.orders.v1.OrderStatus"])
            #expect(result.exitCode == 0)
            #expect(result.stdout.contains("enum OrderStatus {\n  ORDER_STATUS_UNSPECIFIED = 0;\n"))
            #expect(result.stdout.contains("  ORDER_STATUS_CANCELLED = 5;\n}\n"))
        }
    }

    @Test func describeAnUnknownSymbolIsAUsageError() async throws {
        try await withDemoShop { shop in
            let result = try await probe.run(["describe", shop.endpoint, "bigshop.catalog.v1.Nope"])
            #expect(result.exitCode == 64)
            #expect(result.stderr.contains("unknown symbol bigshop.catalog.v1.Nope"))
        }
    }
}
