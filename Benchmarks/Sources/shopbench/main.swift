// The load of Benchmarks/storage-engines: checkouts and granted flash-sale
// Reserves against a running shop (`bigshop serve`, one process or several
// behind a gateway), for one storage engine at a time. Each run prints one
// line for the script to compare:
//
//   checkout <calls/s> <p50 ms> <p99 ms> <failed calls>
//   reserve <calls/s> <p50 ms> <p99 ms> <failed calls>
//
// A small executable of its own (BigShopClient only, no grpc-swift), so that
// measuring the storage engines needs no build of bigbench.
//
//   shopbench checkout --port P [--concurrency 32] [--seconds 5]
//   shopbench reserve --port P [--concurrency 32] [--seconds 5]
//
// checkout: each worker is a customer of its own, signed in on a connection
//   of its own; it puts one unit of a product with ample stock in its cart
//   (SetCartItem) and checks out (Checkout with an idempotency key): one
//   checkout is that pair, the checkout saga's stock reservation and order
//   included.
// reserve: a drop of 1,000,000 units whose per-customer limit is as large
//   is open; each worker presses Reserve in a loop and every press is a
//   grant: a hold committed to the flash sale's database and a PENDING_PAYMENT
//   order created through the orchestrator before its OK. (Refusals — sold
//   out, at the limit — are decided by the in-memory ring and never reach a
//   database, so they would not compare the engines.)
//
// calls/s and latencies count the calls answered OK. A call answered
// otherwise is counted as failed (the first few printed to standard error)
// and the worker goes on: on PostgreSQL some answer INTERNAL today (a
// serialization failure the store did not retry away), and how many is part
// of the result.
import BigRPC
import BigShopAuthAPI
import BigShopCatalogAPI
import BigShopClient
import BigShopFlashSaleAPI
import BigShopOrdersAPI
import Foundation
import Logging
import Synchronization

func nowNs() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("shopbench: \(message)\n".utf8))
    exit(1)
}

let arguments = Array(CommandLine.arguments.dropFirst())
guard let command = arguments.first, ["checkout", "reserve"].contains(command) else {
    fail("usage: shopbench checkout|reserve --port P [--concurrency 32] [--seconds 5]")
}
let options: [String: String] = {
    var options: [String: String] = [:]
    var index = 1
    while index + 1 < arguments.count, arguments[index].hasPrefix("--") {
        options[String(arguments[index].dropFirst(2))] = arguments[index + 1]
        index += 2
    }
    return options
}()
let host = options["host"] ?? "127.0.0.1"
guard let port = options["port"].flatMap({ Int($0) }) else { fail("--port is required") }
let concurrency = options["concurrency"].flatMap { Int($0) } ?? 32
let seconds = options["seconds"].flatMap { Double($0) } ?? 5
let adminEmail = options["admin-email"] ?? "admin@bench.bigshop.local"
let adminPassword = options["admin-password"] ?? "benchmark-admin-password"
let password = "benchmark-password-1"
let logger: Logger = {
    var logger = Logger(label: "shopbench")
    logger.logLevel = .critical
    return logger
}()

func client() -> BigShopClient {
    var configuration = BigShopClient.Configuration()
    configuration.connections = 1
    configuration.retry = .none
    configuration.defaultTimeout = .seconds(60)
    return BigShopClient(host: host, port: port, configuration: configuration, logger: logger)
}

/// Waits (up to 120 s) until the shop answers a login.
func adminClient() async throws -> BigShopClient {
    let admin = client()
    let deadline = nowNs() + 120_000_000_000
    while true {
        do {
            _ = try await admin.login(email: adminEmail, password: adminPassword)
            return admin
        } catch {
            if nowNs() > deadline { throw error }
            try await Task.sleep(for: .milliseconds(200))
        }
    }
}

/// One signed-in client per worker, each on its own connection.
func customers(_ count: Int) async throws -> [BigShopClient] {
    let run = UUID().uuidString.prefix(8).lowercased()
    return try await withThrowingTaskGroup(of: BigShopClient.self) { group in
        for worker in 0..<count {
            group.addTask {
                let customer = client()
                let email = "bench-\(run)-\(worker)@bench.bigshop.local"
                _ = try await customer.auth.register(.init(email: email, password: password, name: "Customer \(worker)"))
                _ = try await customer.login(email: email, password: password)
                return customer
            }
        }
        var clients: [BigShopClient] = []
        for try await client in group { clients.append(client) }
        return clients
    }
}

/// Runs `call` in a loop on every worker for `seconds`; calls/s answered
/// OK, their latencies (ns), and the calls that failed.
func closedLoop(
    workers: Int, _ call: @escaping @Sendable (Int) async throws -> Void
) async -> (rate: Double, latencies: [UInt64], failed: Int) {
    let start = nowNs()
    let deadline = start + UInt64(seconds * 1e9)
    let (latencies, failed) = await withTaskGroup(of: ([UInt64], [String]).self) { group in
        for worker in 0..<workers {
            group.addTask {
                var latencies: [UInt64] = []
                var failures: [String] = []
                while true {
                    let t0 = nowNs()
                    if t0 >= deadline { break }
                    do {
                        try await call(worker)
                        latencies.append(nowNs() - t0)
                    } catch {
                        failures.append("\(error)")
                    }
                }
                return (latencies, failures)
            }
        }
        var all: [UInt64] = []
        var failures: [String] = []
        for await (some, failed) in group {
            all += some
            failures += failed
        }
        return (all, failures)
    }
    for failure in Set(failed).prefix(3) { FileHandle.standardError.write(Data("shopbench: a call failed: \(failure)\n".utf8)) }
    let elapsed = Double(nowNs() - start) / 1e9
    return (Double(latencies.count) / elapsed, latencies.sorted(), failed.count)
}

func percentileMs(_ sorted: [UInt64], _ p: Double) -> Double {
    guard !sorted.isEmpty else { return .nan }
    return Double(sorted[min(sorted.count - 1, Int(Double(sorted.count) * p / 100))]) / 1e6
}

do {
    let admin = try await adminClient()
    let workers = try await customers(concurrency)
    let result: (rate: Double, latencies: [UInt64], failed: Int)
    switch command {
    case "checkout":
        let product = try await admin.catalog.createProduct(
            .init(sku: "BENCH-\(UUID().uuidString.prefix(8))", name: "Bench", priceCents: 1_000, stock: 10_000_000)
        ).id
        result = await closedLoop(workers: concurrency) { worker in
            let customer = workers[worker]
            _ = try await customer.orders.setCartItem(.init(productId: product, quantity: 1))
            _ = try await customer.orders.checkout(.init(), metadata: [Metadata.idempotencyKey: UUID().uuidString])
        }
    default:
        let product = try await admin.catalog.createProduct(
            .init(sku: "BENCH-\(UUID().uuidString.prefix(8))", name: "Bench", priceCents: 1_000, stock: 1)
        ).id
        let startsAtMs = Int64(Date().timeIntervalSince1970 * 1000) - 1_000
        let campaign = try await admin.flashSale.scheduleCampaign(
            .init(
                productId: product, startsAtMs: startsAtMs, drops: 1, unitsPerDrop: 1_000_000, priceCents: 100,
                dropIntervalMs: 3_600_000, holdMs: 3_600_000, perCustomerLimit: 1_000_000)
        ).id
        result = await closedLoop(workers: concurrency) { worker in
            _ = try await workers[worker].flashSale.reserve(.init(campaignId: campaign))
        }
    }
    print(
        "\(command) \(String(format: "%.1f", result.rate)) \(String(format: "%.2f", percentileMs(result.latencies, 50)))"
            + " \(String(format: "%.2f", percentileMs(result.latencies, 99))) \(result.failed)")
    for worker in workers { await worker.close() }
    await admin.close()
} catch {
    fail("\(command) failed: \(error)")
}
