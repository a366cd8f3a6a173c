import FlashSaleRing
import Testing

@Suite struct CustomerLimitsTests {
    @Test func acquireStopsAtTheLimit() {
        let limits = CustomerLimits()
        #expect(limits.tryAcquire(customer: "ana", drop: 0, limit: 2))
        #expect(limits.tryAcquire(customer: "ana", drop: 0, limit: 2))
        #expect(!limits.tryAcquire(customer: "ana", drop: 0, limit: 2))
        #expect(limits.count(customer: "ana", drop: 0) == 2)
        #expect(limits.tryAcquire(customer: "ana", drop: 1, limit: 2), "another drop has its own count")
        #expect(limits.tryAcquire(customer: "bia", drop: 0, limit: 2), "another customer has their own count")
        #expect(!limits.tryAcquire(customer: "caio", drop: 0, limit: 0))
        #expect(limits.count(customer: "caio", drop: 0) == 0)
    }

    @Test func releaseFreesOnePlace() {
        let limits = CustomerLimits()
        #expect(limits.tryAcquire(customer: "ana", drop: 3, limit: 1))
        #expect(limits.release(customer: "ana", drop: 3))
        #expect(limits.count(customer: "ana", drop: 3) == 0)
        #expect(!limits.release(customer: "ana", drop: 3), "nothing left to release")
        #expect(limits.count(customer: "ana", drop: 3) == 0)
        #expect(limits.tryAcquire(customer: "ana", drop: 3, limit: 1))
    }

    @Test func resetReplacesEverythingAndAddsUpDuplicates() {
        let limits = CustomerLimits(shardCount: 4)
        #expect(limits.tryAcquire(customer: "old", drop: 0, limit: 1))
        limits.reset(to: [
            (customer: "ana", drop: 1, count: 1),
            (customer: "ana", drop: 1, count: 1),
            (customer: "bia", drop: 2, count: 1),
            (customer: "caio", drop: 2, count: 0),
        ])
        #expect(limits.count(customer: "old", drop: 0) == 0)
        #expect(limits.count(customer: "ana", drop: 1) == 2)
        #expect(limits.count(customer: "bia", drop: 2) == 1)
        #expect(limits.count(customer: "caio", drop: 2) == 0)
        #expect(!limits.tryAcquire(customer: "bia", drop: 2, limit: 1))
    }

    @Test func removeDropsForgetsOnlyOlderDrops() {
        let limits = CustomerLimits()
        for drop in 0..<24 {
            for customer in 0..<10 {
                #expect(limits.tryAcquire(customer: "c\(customer)", drop: drop, limit: 1))
            }
        }
        limits.removeDrops(before: 20)
        for customer in 0..<10 {
            #expect(limits.count(customer: "c\(customer)", drop: 19) == 0)
            #expect(limits.count(customer: "c\(customer)", drop: 20) == 1)
            #expect(limits.count(customer: "c\(customer)", drop: 23) == 1)
        }
    }

    /// 1000 customers each press "Reserve" twice at the same moment, with a
    /// limit of one: exactly one press per customer gets through.
    @Test(arguments: [1, 64])
    func concurrentDoublePressesAcquireOncePerCustomer(shardCount: Int) async {
        let limits = CustomerLimits(shardCount: shardCount)
        let acquired = await withTaskGroup(of: Bool.self) { group in
            for attempt in 0..<2_000 {
                group.addTask {
                    limits.tryAcquire(customer: "customer-\(attempt % 1_000)", drop: 7, limit: 1)
                }
            }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(acquired == 1_000)
        #expect((0..<1_000).allSatisfy { limits.count(customer: "customer-\($0)", drop: 7) == 1 })
    }

    /// Acquires and releases racing on one customer never exceed the limit:
    /// a place released is a place someone else can take.
    @Test func concurrentAcquireAndReleaseKeepTheCountExact() async {
        let limits = CustomerLimits()
        let holding = await withTaskGroup(of: Int.self) { group in
            for _ in 0..<64 {
                group.addTask {
                    var held = 0
                    for round in 0..<200 {
                        if limits.tryAcquire(customer: "ana", drop: 0, limit: 5) {
                            held += 1
                        }
                        if held > 0, round.isMultiple(of: 3), limits.release(customer: "ana", drop: 0) {
                            held -= 1
                        }
                    }
                    return held
                }
            }
            return await group.reduce(0, +)
        }
        #expect(holding == limits.count(customer: "ana", drop: 0))
        #expect(holding <= 5)
    }
}
