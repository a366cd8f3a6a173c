import FlashSaleRing
import Foundation
import SeededRandom
import Synchronization
import Testing

/// Races many claimers and releasers on one ring and checks, after each round,
/// that no unit was sold twice, none was lost, and a sell-out sells exactly the
/// units released. Run these in release mode too, where races are tighter.
@Suite struct ReservationRingStressTests {
    private static let units = 100
    private static let customers = 64

    /// Each round: 100 fresh units, 64 customers pressing "Reserve" three times
    /// each (192 attempts). Exactly 100 must succeed, with distinct units, and
    /// no press may be refused before a later press succeeds.
    @Test func taskRoundsSellExactlyTheReleasedUnits() async throws {
        let ring = ReservationRing(capacity: Self.units)
        let clock = SharedCounter()
        for round in 0..<2_000 {
            let units = Self.units(forRound: round)
            try ring.add(units)
            let customers = await withTaskGroup(of: Presses.self) { group in
                for _ in 0..<Self.customers {
                    group.addTask {
                        var presses = Presses()
                        for _ in 0..<3 {
                            presses.press(ring, clock: clock)
                            await Task.yield()
                        }
                        return presses
                    }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
            guard Self.expectSoldOut(ring, by: customers, units: units, round: round) else { return }
        }
    }

    /// Each round: customers claim, hold, cancel and re-claim concurrently.
    /// Afterwards the units held plus those still in the ring are exactly the
    /// round's units, and no release was refused.
    @Test func taskRoundsConserveUnitsUnderConcurrentReleases() async throws {
        let ring = ReservationRing(capacity: Self.units)
        let seed = UInt64.random(in: .min ... .max)
        for round in 0..<500 {
            let units = Self.units(forRound: round)
            try ring.add(units)
            let outcomes = await withTaskGroup(of: Churn.self) { group in
                for customer in 0..<Self.customers {
                    group.addTask {
                        var rng = SplitMix64(seed: seed &+ UInt64(round * Self.customers + customer))
                        var churn = Churn()
                        for _ in 0..<40 {
                            churn.step(on: ring, using: &rng)
                            if Bool.random(using: &rng) {
                                await Task.yield()
                            }
                        }
                        return churn
                    }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
            let verdict = Self.conservation(of: outcomes, in: ring, units: units)
            guard verdict == nil else {
                Issue.record("seed \(seed), round \(round): \(verdict!)")
                return
            }
        }
    }

    /// The same sell-out on 16 OS threads for 2 cores, so that threads are
    /// preempted in the middle of claims.
    @Test func oversubscribedThreadsSellExactlyTheReleasedUnits() async throws {
        let ring = ReservationRing(capacity: Self.units)
        let clock = SharedCounter()
        for round in 0..<500 {
            let units = Self.units(forRound: round)
            try ring.add(units)
            let customers = await runOnThreads(16) { _ in
                var presses = Presses()
                for _ in 0..<10 {
                    presses.press(ring, clock: clock)
                }
                return presses
            }
            guard Self.expectSoldOut(ring, by: customers, units: units, round: round) else { return }
        }
    }

    /// Claims and releases on 16 OS threads for 2 cores, so that threads are
    /// preempted in the middle of both.
    @Test func oversubscribedThreadsConserveUnits() async throws {
        let ring = ReservationRing(capacity: Self.units)
        let seed = UInt64.random(in: .min ... .max)
        for round in 0..<200 {
            let units = Self.units(forRound: round)
            try ring.add(units)
            let outcomes = await runOnThreads(16) { thread in
                var rng = SplitMix64(seed: seed &+ UInt64(round * 16 + thread))
                var churn = Churn()
                for _ in 0..<5_000 {
                    churn.step(on: ring, using: &rng)
                }
                return churn
            }
            let verdict = Self.conservation(of: outcomes, in: ring, units: units)
            guard verdict == nil else {
                Issue.record("seed \(seed), round \(round): \(verdict!)")
                return
            }
        }
    }

    private static func units(forRound round: Int) -> [UInt32] {
        (0..<units).map { UInt32(round * units + $0) }
    }

    /// Checks that the customers claimed exactly `units`, that the ring is empty,
    /// and that no refusal happened while units were left.
    private static func expectSoldOut(_ ring: ReservationRing, by customers: [Presses], units: [UInt32], round: Int) -> Bool {
        let claimed = customers.flatMap(\.claimed)
        let distinct = Set(claimed)
        let lastSuccessStart = customers.map(\.lastSuccessStart).max() ?? .min
        let firstRefusalEnd = customers.map(\.firstRefusalEnd).min() ?? .max
        let checks = [
            (claimed.count == units.count, "\(claimed.count) claims for \(units.count) units"),
            (distinct.count == claimed.count, "a unit was claimed twice"),
            (distinct == Set(units), "claimed units differ from released units"),
            (lastSuccessStart < firstRefusalEnd, "a press was refused while units were left"),
            (ring.approximateCount == 0, "ring still counts \(ring.approximateCount)"),
            (ring.tryClaim() == nil, "ring not empty after the sell-out"),
        ]
        for (passed, problem) in checks where !passed {
            Issue.record("round \(round): \(problem)")
        }
        return checks.allSatisfy(\.0)
    }

    /// Returns why `outcomes` plus the ring's remaining tokens are not exactly
    /// `units`, or `nil` if they are. Drains the ring.
    private static func conservation(of outcomes: [Churn], in ring: ReservationRing, units: [UInt32]) -> String? {
        let refused = outcomes.reduce(0) { $0 + $1.refusedReleases }
        let held = outcomes.flatMap(\.holds)
        let counted = ring.approximateCount
        var remaining: [UInt32] = []
        for _ in 0...units.count {
            guard let token = ring.tryClaim() else { break }
            remaining.append(token)
        }
        let all = held + remaining
        if refused > 0 {
            return "\(refused) releases were refused"
        } else if counted != remaining.count {
            return "ring counted \(counted) but held \(remaining.count)"
        } else if all.count != units.count || Set(all) != Set(units) {
            return "held \(held.count) + remaining \(remaining.count) tokens are not the \(units.count) units"
        }
        return nil
    }
}

/// One customer's presses of "Reserve" during a sell-out, timed on a shared
/// clock (a counter) so that a refusal can be ordered against later successes.
private struct Presses: Sendable {
    var claimed: [UInt32] = []
    /// The clock just before the latest press that got a unit.
    var lastSuccessStart = Int.min
    /// The clock just after the earliest press that was refused.
    var firstRefusalEnd = Int.max

    mutating func press(_ ring: ReservationRing, clock: SharedCounter) {
        let start = clock.value.wrappingAdd(1, ordering: .sequentiallyConsistent).newValue
        if let token = ring.tryClaim() {
            claimed.append(token)
            lastSuccessStart = max(lastSuccessStart, start)
        } else {
            firstRefusalEnd = min(firstRefusalEnd, clock.value.wrappingAdd(1, ordering: .sequentiallyConsistent).newValue)
        }
    }
}

/// One customer's random claims and cancellations.
private struct Churn: Sendable {
    var holds: [UInt32] = []
    var refusedReleases = 0

    mutating func step(on ring: ReservationRing, using rng: inout SplitMix64) {
        if holds.isEmpty || Int.random(in: 0..<3, using: &rng) != 0 {
            if let token = ring.tryClaim() {
                holds.append(token)
            }
        } else {
            let token = holds.remove(at: Int.random(in: holds.indices, using: &rng))
            do {
                try ring.release(token)
            } catch {
                refusedReleases += 1
            }
        }
    }
}

/// Runs `body` on `count` new OS threads that start together, and returns
/// their results in thread order. Waits without holding a thread of Swift's
/// cooperative pool: blocking one (there is one per core) for the seconds
/// these rounds take stalled every other test of the process.
private func runOnThreads<Result: Sendable>(_ count: Int, _ body: @escaping @Sendable (Int) -> Result) async -> [Result] {
    let arrived = SharedCounter()
    let results = ResultSlots<Result>(count: count)
    let finished = DispatchGroup()
    for index in 0..<count {
        finished.enter()
        Thread {
            arrived.value.wrappingAdd(1, ordering: .relaxed)
            var spins = 0
            while arrived.value.load(ordering: .relaxed) < count, spins < 1_000_000 {
                sched_yield()
                spins += 1
            }
            results.store(body(index), at: index)
            finished.leave()
        }.start()
    }
    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
        finished.notify(queue: .global()) { continuation.resume() }
    }
    return results.values
}

/// One result slot per thread, filled by that thread.
private final class ResultSlots<Result: Sendable>: Sendable {
    private let slots: Mutex<[Result?]>

    init(count: Int) {
        slots = Mutex(Array(repeating: nil, count: count))
    }

    func store(_ result: Result, at index: Int) {
        slots.withLock { $0[index] = result }
    }

    var values: [Result] {
        slots.withLock { $0.compactMap { $0 } }
    }
}

/// An atomic counter shared by reference between tasks and threads.
private final class SharedCounter: Sendable {
    let value = Atomic(0)
}
