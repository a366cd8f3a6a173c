// Issue 5: the flash sale under load against a real `bigshop serve`:
// 10,000 connections each firing one Reserve at a drop's opening. (End-to-end
// Reserve side by side with Redis + Lua is `shopbench versus`.)
import BigRPC
import BigShopAuthAPI
import BigShopCatalogAPI
import BigShopClient
import BigShopFlashSaleAPI
import Foundation
import Logging
import Synchronization

/// Releases every waiting task at once.
/// A mutex-guarded value that escaping closures can share.
final class Box<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>
    init(_ value: Value) { mutex = Mutex(value) }
    func withLock<R: Sendable>(_ body: (inout sending Value) -> R) -> R { mutex.withLock { body(&$0) } }
}

final class StartGate: Sendable {
    private let state = Mutex<(open: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    func wait() async {
        await withCheckedContinuation { continuation in
            let openAlready = state.withLock { state in
                if state.open { return true }
                state.waiters.append(continuation)
                return false
            }
            if openAlready { continuation.resume() }
        }
    }

    var waiting: Int { state.withLock { $0.waiters.count } }

    func open() {
        let waiters = state.withLock { state in
            state.open = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }
}

struct Shop {
    let host: String
    let port: Int
    let password = "benchmark-password-1"

    var quietLogger: Logger {
        var logger = Logger(label: "bigbench.shop")
        logger.logLevel = .critical
        return logger
    }

    func client(connections: Int = 1) -> BigShopClient {
        var configuration = BigShopClient.Configuration()
        configuration.connections = connections
        configuration.retry = .none
        configuration.defaultTimeout = .seconds(120)
        return BigShopClient(host: host, port: port, configuration: configuration, logger: quietLogger)
    }

    static func email(_ i: Int) -> String { "customer\(i)@bench.bigshop.local" }

    /// Registers customers `0..<count` over a few connections (idempotent: an
    /// existing e-mail is fine).
    func registerCustomers(_ count: Int) async throws {
        let setup = client(connections: 4)
        defer { Task { await setup.close() } }
        let next = SharedCounter()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<64 {
                group.addTask {
                    while true {
                        let i = next.value.wrappingAdd(1, ordering: .relaxed).oldValue
                        if i >= count { return }
                        do {
                            _ = try await setup.auth.register(.init(email: Shop.email(i), password: password, name: "Customer \(i)"))
                        } catch let error as RPCError where error.code == .alreadyExists {
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
    }

    func productID(admin: BigShopClient) async throws -> String {
        let page = try await admin.catalog.listProducts(.init(pageSize: 1))
        guard let id = page.products.first?.id else { throw RPCError(.notFound, "the catalog is empty: start bigshop with --seed-demo") }
        return id
    }

    func schedule(admin: BigShopClient, product: String, startsAtMs: Int64) async throws -> String {
        let campaign = try await admin.flashSale.scheduleCampaign(
            .init(
                productId: product, startsAtMs: startsAtMs, drops: 1, unitsPerDrop: 100, priceCents: 100,
                dropIntervalMs: 3_600_000, holdMs: 600_000, perCustomerLimit: 1
            ))
        return campaign.id
    }

    /// One signed-in client per customer, each on its own connection, opened
    /// `concurrency` at a time.
    func signIn(_ customers: Range<Int>, concurrency: Int = 128) async throws -> [BigShopClient] {
        let clients = customers.map { _ in client() }
        let next = SharedCounter()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<concurrency {
                group.addTask {
                    while true {
                        let i = next.value.wrappingAdd(1, ordering: .relaxed).oldValue
                        if i >= clients.count { return }
                        _ = try await clients[i].login(email: Shop.email(customers.lowerBound + i), password: password)
                    }
                }
            }
            try await group.waitForAll()
        }
        return clients
    }
}

enum ReserveOutcome: Sendable {
    case granted, soldOut, limitReached
    case other(String)
}

func reserveOnce(_ client: BigShopClient, campaign: String) async -> ReserveOutcome {
    do {
        _ = try await client.flashSale.reserve(.init(campaignId: campaign))
        return .granted
    } catch let error as RPCError {
        switch error.metadata["reason"] {
        case "SOLD_OUT": return .soldOut
        case "LIMIT_REACHED": return .limitReached
        default: return .other(error.description)
        }
    } catch {
        return .other("\(error)")
    }
}

/// `flash`: 10,000 connections, one Reserve each at the drop's opening.
func flashLoad(_ options: Options) async throws {
    let shop = Shop(host: "127.0.0.1", port: options.int("port", 7070))
    let pid = Int32(options.int("server-pid", 0))
    let customers = options.int("customers", 10_000)
    try await waitForPort(shop.port, timeout: 120)

    let admin = shop.client()
    _ = try await admin.login(
        email: options.string("admin-email", "admin@bench.bigshop.local"),
        password: options.string("admin-password", "benchmark-admin-password"))
    let product = try await shop.productID(admin: admin)

    var t0 = nowNs()
    try await shop.registerCustomers(customers)
    note("registered \(customers) customers in \(fmt(Double(nowNs() - t0) / 1e9, 1)) s")
    t0 = nowNs()
    let clients = try await shop.signIn(0..<customers)
    note("opened \(clients.count) connections, each signed in, in \(fmt(Double(nowNs() - t0) / 1e9, 1)) s")
    let rssIdle = residentBytes(pid: pid)

    // The drop opens 3 s from now; every connection fires one Reserve then.
    let startsAtMs = wallMs() + 3000
    let campaign = try await shop.schedule(admin: admin, product: product, startsAtMs: startsAtMs)
    let gate = StartGate()
    let results = Box<(latencies: LatencySample, granted: Int, soldOut: Int, limit: Int, other: [String], lastNs: UInt64)>(
        (LatencySample(), 0, 0, 0, [], 0)
    )
    let fired = Box<UInt64>(0)
    let rssPeak = SharedCounter()
    let sampler = Task {
        while !Task.isCancelled {
            let rss = residentBytes(pid: pid)
            if rss > rssPeak.value.load(ordering: .relaxed) { rssPeak.value.store(rss, ordering: .relaxed) }
            try? await Task.sleep(for: .milliseconds(20))
        }
    }
    try await withThrowingTaskGroup(of: Void.self) { group in
        for client in clients {
            group.addTask {
                await gate.wait()
                let start = nowNs()
                let outcome = await reserveOnce(client, campaign: campaign)
                let end = nowNs()
                results.withLock { r in
                    r.latencies.record(ns: end - start)
                    r.lastNs = max(r.lastNs, end)
                    switch outcome {
                    case .granted: r.granted += 1
                    case .soldOut: r.soldOut += 1
                    case .limitReached: r.limit += 1
                    case .other(let why): r.other.append(why)
                    }
                }
            }
        }
        while gate.waiting < clients.count { try await Task.sleep(for: .milliseconds(5)) }
        let wait = startsAtMs - wallMs()
        if wait > 0 { try await Task.sleep(for: .milliseconds(wait)) }
        try await Task.sleep(for: .milliseconds(10))  // the drop is open: now
        fired.withLock { $0 = nowNs() }
        gate.open()
        try await group.waitForAll()
    }
    sampler.cancel()
    let r = results.withLock { $0 }
    let firedAt = fired.withLock { $0 }
    let rssAfter = residentBytes(pid: pid)
    let drop = try await admin.flashSale.getCurrentDrop(.init(campaignId: campaign))

    var table = Table(
        title: "Flash sale load: \(clients.count) connections, one Reserve each at the drop's opening (100 units)",
        header: ["answered", "holds (OK)", "SOLD_OUT", "other", "time to answer all", "p50", "p99", "server RSS idle / peak / after"]
    )
    let answered = r.granted + r.soldOut + r.limit + r.other.count
    table.rows.append([
        "\(answered) / \(clients.count)", "\(r.granted)", "\(r.soldOut)", "\(r.limit + r.other.count)",
        "\(fmt(Double(r.lastNs - firedAt) / 1e6)) ms",
        "\(fmt(r.latencies.percentile(50) / 1000, 1)) ms", "\(fmt(r.latencies.percentile(99) / 1000, 1)) ms",
        "\(mib(rssIdle)) / \(mib(max(rssPeak.value.load(ordering: .relaxed), rssAfter))) / \(mib(rssAfter))",
    ])
    let ok = answered == clients.count && r.granted == 100 && drop.remaining == 0
    table.notes.append(
        "Check: all answered and exactly 100 holds: \(ok ? "yes" : "NO") (server reports \(drop.remaining) remaining). `bigshop serve --rate-limit off` on loopback; each customer signed in on its own connection beforehand; latency is per call from the moment the gate opened to its answer; a hold is committed to SQLite (group commit) and becomes a PENDING_PAYMENT order before its OK.\(r.other.isEmpty ? "" : " Other answers: \(Set(r.other).prefix(3).joined(separator: "; "))")"
    )
    table.emit()
    for client in clients { await client.close() }
    await admin.close()
    if !ok { throw RPCError(.internal, "flash-sale load check failed") }
}
