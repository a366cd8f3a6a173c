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
//   shopbench drop --port P [--concurrency 50] [--seconds 3]
//   shopbench versus --port P --redis-port R [--concurrency 50] [--seconds 3] [--rounds 5]
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
// drop: a drop of 100 units (one per customer) opens; each worker presses
//   Reserve in a loop, so nearly every answer is a refusal (SOLD_OUT,
//   LIMIT_REACHED), as at a real drop: the load of issue 15 and of
//   Benchmarks/shop-ab-compare. Every answer is a decision and counts.
// versus: `drop` side by side with Redis + Lua's check-and-decrement, driven
//   by this same closed loop (one NIO connection per worker, one request in
//   flight on it, EVALSHA of the script), alternating the order round by
//   round; prints each round and the medians of the per-round ratios.
//
// calls/s and latencies count the calls answered OK (for drop and versus,
// every decision). A call answered
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
import NIOCore
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
guard let command = arguments.first, ["checkout", "reserve", "drop", "versus"].contains(command) else {
    fail("usage: shopbench checkout|reserve|drop|versus --port P [--redis-port R] [--concurrency 32] [--seconds 5] [--rounds 5]")
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
let concurrency = options["concurrency"].flatMap { Int($0) } ?? (command == "drop" || command == "versus" ? 50 : 32)
let seconds = options["seconds"].flatMap { Double($0) } ?? (command == "drop" || command == "versus" ? 3 : 5)
let rounds = options["rounds"].flatMap { Int($0) } ?? 5
let redisPort = options["redis-port"].flatMap { Int($0) }
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

/// One signed-in client per worker, each on its own connection (signed up
/// and in at most 64 at a time, so that 1,000 fit the shop's queues).
func customers(_ count: Int) async throws -> [BigShopClient] {
    let run = UUID().uuidString.prefix(8).lowercased()
    return try await withThrowingTaskGroup(of: BigShopClient.self) { group in
        var clients: [BigShopClient] = []
        for worker in 0..<count {
            if worker >= 64, let done = try await group.next() { clients.append(done) }
            group.addTask {
                let customer = client()
                let email = "bench-\(run)-\(worker)@bench.bigshop.local"
                _ = try await customer.auth.register(.init(email: email, password: password, name: "Customer \(worker)"))
                _ = try await customer.login(email: email, password: password)
                return customer
            }
        }
        for try await client in group { clients.append(client) }
        return clients
    }
}

/// A drop of 100 units, one per customer, open since a second ago.
func openDrop(admin: BigShopClient, product: String) async throws -> String {
    try await admin.flashSale.scheduleCampaign(
        .init(
            productId: product, startsAtMs: Int64(Date().timeIntervalSince1970 * 1000) - 1_000, drops: 1, unitsPerDrop: 100,
            priceCents: 100, dropIntervalMs: 3_600_000, holdMs: 600_000, perCustomerLimit: 1)
    ).id
}

/// Presses Reserve in a closed loop on a fresh drop; every answer OK,
/// SOLD_OUT or LIMIT_REACHED is a decision. Also returns the units granted.
func pressDrop(
    admin: BigShopClient, product: String, workers: [BigShopClient]
) async throws
    -> (rate: Double, latencies: [UInt64], failed: Int, granted: Int64)
{
    let campaign = try await openDrop(admin: admin, product: product)
    let result = await closedLoop(workers: workers.count) { worker in
        do {
            _ = try await workers[worker].flashSale.reserve(.init(campaignId: campaign))
        } catch let error as RPCError where ["SOLD_OUT", "LIMIT_REACHED"].contains(error.metadata["reason"] ?? "") {
        }
    }
    let drop = try await admin.flashSale.getCurrentDrop(.init(campaignId: campaign))
    return (result.rate, result.latencies, result.failed, Int64(drop.unitsReleased) - Int64(drop.remaining))
}

/// The classic check-and-decrement, as Redis users write it.
let checkAndDecrement =
    "local n = tonumber(redis.call('GET', KEYS[1]) or '0') if n > 0 then redis.call('DECR', KEYS[1]) return 1 end return 0"

/// Presses the Lua check-and-decrement in the same closed loop, one
/// connection per worker, on a fresh stock of 100.
func pressRedis(_ connections: [RedisConnection]) async throws -> (rate: Double, latencies: [UInt64], failed: Int) {
    let setup = connections[0]
    guard case .string(let sha) = try await setup.send(["SCRIPT", "LOAD", checkAndDecrement]) else { fail("SCRIPT LOAD failed") }
    _ = try await setup.send(["SET", "stock", "100"])
    var request = ByteBuffer()
    for (index, argument) in ["EVALSHA", sha, "1", "stock"].enumerated() {
        if index == 0 { request.writeString("*4\r\n") }
        request.writeString("$\(argument.utf8.count)\r\n\(argument)\r\n")
    }
    let encoded = request
    let result = await closedLoop(workers: connections.count) { worker in
        guard case .integer = try await connections[worker].send(encoded: encoded) else {
            throw RedisError(description: "EVALSHA did not answer an integer")
        }
    }
    let left = try await setup.send(["GET", "stock"])
    guard left == .string("0") else { fail("redis stock left: \(left)") }
    return result
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    guard !sorted.isEmpty else { return .nan }
    return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}

func formatted(_ value: Double, _ digits: Int = 1) -> String { String(format: "%.\(digits)f", value) }

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
    case "drop", "versus":
        let product = try await admin.catalog.createProduct(
            .init(sku: "BENCH-\(UUID().uuidString.prefix(8))", name: "Bench", priceCents: 1_000, stock: 1)
        ).id
        if command == "drop" {
            let drop = try await pressDrop(admin: admin, product: product, workers: workers)
            result = (drop.rate, drop.latencies, drop.failed)
            break
        }
        guard let redisPort else { fail("versus needs --redis-port") }
        var connections: [RedisConnection] = []
        for _ in 0..<concurrency { connections.append(try await RedisConnection.connect(host: "127.0.0.1", port: redisPort)) }
        var ratios: [Double] = []
        var p99Ratios: [Double] = []
        var shopRates: [Double] = []
        var redisRates: [Double] = []
        print("| round | side | decisions/s | p50 ms | p99 ms | failed |")
        print("|---|---|---:|---:|---:|---:|")
        for round in 1...rounds {
            var shop: (rate: Double, p99: Double) = (.nan, .nan)
            var redis: (rate: Double, p99: Double) = (.nan, .nan)
            for side in round % 2 == 1 ? ["bigshop", "redis"] : ["redis", "bigshop"] {
                let run: (rate: Double, latencies: [UInt64], failed: Int)
                if side == "bigshop" {
                    let drop = try await pressDrop(admin: admin, product: product, workers: workers)
                    guard drop.granted <= 100 else { fail("\(drop.granted) units granted of a drop of 100") }
                    run = (drop.rate, drop.latencies, drop.failed)
                    shop = (run.rate, percentileMs(run.latencies, 99))
                } else {
                    run = try await pressRedis(connections)
                    redis = (run.rate, percentileMs(run.latencies, 99))
                }
                print(
                    "| \(round) | \(side) | \(formatted(run.rate, 0)) | \(formatted(percentileMs(run.latencies, 50), 2))"
                        + " | \(formatted(percentileMs(run.latencies, 99), 2)) | \(run.failed) |")
            }
            shopRates.append(shop.rate)
            redisRates.append(redis.rate)
            ratios.append(shop.rate / redis.rate)
            p99Ratios.append(shop.p99 / redis.p99)
        }
        print(
            "\nversus \(concurrency) clients: bigshop \(formatted(median(shopRates), 0)) decisions/s, redis \(formatted(median(redisRates), 0))"
                + " decisions/s; bigshop ÷ redis \(formatted(median(ratios), 3))× decisions/s, \(formatted(median(p99Ratios), 2))× p99"
                + " (medians of \(rounds) per-round ratios)")
        for connection in connections { await connection.close() }
        for worker in workers { await worker.close() }
        await admin.close()
        exit(0)
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
