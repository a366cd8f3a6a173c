import BigShopServerTestSupport
import ChildProcess
import Testing

@testable import bigprobe

/// `bigprobe top`: the view computed from two scrapes, and a run against a
/// shop's admin listener.
@Suite struct TopTests {
    static let before = """
        # TYPE rpc_server_handled_total counter
        rpc_server_handled_total{service="bigshop.flashsale.v1.FlashSaleService",method="Reserve",code="OK"} 10
        rpc_server_handled_total{service="bigshop.flashsale.v1.FlashSaleService",method="Reserve",code="FAILED_PRECONDITION"} 0
        rpc_server_handled_total{service="bigshop.orders.v1.OrdersService",method="Checkout",code="OK"} 5
        rpc_server_handling_seconds_bucket{service="bigshop.flashsale.v1.FlashSaleService",method="Reserve",le="0.001"} 10
        rpc_server_handling_seconds_bucket{service="bigshop.flashsale.v1.FlashSaleService",method="Reserve",le="0.01"} 10
        rpc_server_handling_seconds_bucket{service="bigshop.flashsale.v1.FlashSaleService",method="Reserve",le="+Inf"} 10
        bigshop_flashsale_reserves_total{campaign="cmp_1",outcome="OK"} 10
        """

    static let after = """
        rpc_server_handled_total{service="bigshop.flashsale.v1.FlashSaleService",method="Reserve",code="OK"} 100
        rpc_server_handled_total{service="bigshop.flashsale.v1.FlashSaleService",method="Reserve",code="FAILED_PRECONDITION"} 100
        rpc_server_handled_total{service="bigshop.orders.v1.OrdersService",method="Checkout",code="OK"} 7
        rpc_server_handling_seconds_bucket{service="bigshop.flashsale.v1.FlashSaleService",method="Reserve",le="0.001"} 100
        rpc_server_handling_seconds_bucket{service="bigshop.flashsale.v1.FlashSaleService",method="Reserve",le="0.01"} 198
        rpc_server_handling_seconds_bucket{service="bigshop.flashsale.v1.FlashSaleService",method="Reserve",le="+Inf"} 200
        bigshop_flashsale_reserves_total{campaign="cmp_1",outcome="OK"} 100
        bigshop_flashsale_remaining_units{campaign="cmp_1"} 0
        bigshop_flashsale_current_drop{campaign="cmp_1"} 3
        rpc_server_connections{port="public"} 42
        """

    @Test func ratesP99AndTheDropOverTheInterval() {
        let view = TopView(
            previous: MetricsScrape(text: Self.before), current: MetricsScrape(text: Self.after), elapsed: .seconds(2), rows: 10)
        #expect(
            view.methods == [
                .init(name: "bigshop.flashsale.v1.FlashSaleService/Reserve", callsPerSecond: 95, errorsPerSecond: 50, p99Seconds: +Double.infinity),
                .init(name: "bigshop.orders.v1.OrdersService/Checkout", callsPerSecond: 1, errorsPerSecond: 0, p99Seconds: nil),
            ])
        #expect(view.drops == [.init(campaign: "cmp_1", remaining: 0, currentDrop: 3, holdsPerSecond: 45)])
        #expect(view.connections == 42)
        let screen = view.render(endpoint: "127.0.0.1:9090")
        #expect(screen.contains("bigshop.flashsale.v1.FlashSaleService/Reserve"))
        #expect(screen.contains("cmp_1"))
    }

    @Test func p99IsTheBucketHoldingThe99thPercentile() {
        #expect(TopView.quantile(0.99, [(0.001, 50), (0.01, 99), (0.1, 100), (.infinity, 100)]) == 0.01)
        #expect(TopView.quantile(0.99, [(0.001, 0), (.infinity, 0)]) == nil)
    }

    @Test func labelValuesWithEscapes() {
        let scrape = MetricsScrape(text: #"m{a="x\"y",b="c,d"} 3"#)
        #expect(scrape.samples("m") == [.init(labels: ["a": "x\"y", "b": "c,d"], value: 3)])
    }

    @Test(.timeLimit(.minutes(1))) func showsAScreenFromARealAdminListener() async throws {
        let adminPort = try LoopbackPort.free()
        try await withShop(configure: { $0.adminPort = adminPort }) { _ in
            let result = try await Probe().run(["top", "127.0.0.1:\(adminPort)", "--count", "1", "--interval", "0.2", "--no-clear"])
            #expect(result.exitCode == 0, "\(result.stderr)")
            #expect(result.stdout.contains("METHOD"))
            #expect(result.stdout.contains("CAMPAIGN"))
        }
    }

    @Test func noListenerIsAnError() async throws {
        let result = try await Probe().run(["top", "127.0.0.1:\(try LoopbackPort.free())", "--count", "1"])
        #expect(result.exitCode == 1)
        #expect(!result.stderr.isEmpty)
    }
}
