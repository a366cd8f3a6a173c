import Foundation
import SeededRandom
import Testing

@testable import FlashSaleRing

/// Runs thousands of random operation sequences against a ring and against a
/// plain array that models it, and requires both to agree after every step.
///
/// The base seed is random on each run and printed on failure; set
/// `RING_MODEL_SEED` to replay exactly that one sequence.
@Suite struct ReservationRingModelTests {
    @Test func randomSequencesMatchTheSequentialModel() {
        let replaySeed = ProcessInfo.processInfo.environment["RING_MODEL_SEED"].flatMap { UInt64($0) }
        let baseSeed = replaySeed ?? UInt64.random(in: .min ... .max)
        let sequenceCount = replaySeed == nil ? 10_000 : 1
        for offset in 0..<sequenceCount {
            let seed = baseSeed &+ UInt64(offset)
            if let failure = ModelRun(seed: seed).firstDisagreement() {
                Issue.record("seed \(seed): \(failure) (replay with RING_MODEL_SEED=\(seed))")
                return
            }
        }
    }
}

/// One random sequence of operations, replayable from its seed.
private struct ModelRun {
    private enum Operation: CaseIterable {
        /// A customer presses "Reserve".
        case claim
        /// A randomly chosen hold is cancelled.
        case release
        /// The oldest hold expires.
        case expire
        /// The next drop adds its fresh units.
        case newDrop
        /// A faulty caller offers more tokens than the ring has room for.
        case overfill

        var weight: Int {
            switch self {
            case .claim: 8
            case .release: 4
            case .expire: 3
            case .newDrop: 3
            case .overfill: 1
            }
        }
    }

    /// Each ring starts 0 to 3 laps below one of these: so either near lap 0, or
    /// just before the 32-bit cell stamps (2 × lap) wrap around.
    private static let startLaps: [UInt64] = [3, 1 << 31, 1 << 32, 3 << 31]

    let seed: UInt64

    /// Plays the sequence and returns a description of the first step at which
    /// the ring and the model disagree, or `nil` if they always agree.
    func firstDisagreement() -> String? {
        do {
            try play()
            return nil
        } catch {
            return error.description
        }
    }

    private func play() throws(Disagreement) {
        var rng = SplitMix64(seed: seed)
        let drops = Int.random(in: 1...5, using: &rng)
        let unitsPerDrop = Int.random(in: 1...6, using: &rng)
        let capacity = drops * unitsPerDrop
        let firstLap = Self.startLaps.randomElement(using: &rng)! - UInt64.random(in: 0...3, using: &rng)
        let ring = ReservationRing(capacity: capacity, firstLap: firstLap)
        let context = "capacity \(capacity), first lap \(firstLap)"

        var available: [UInt32] = []  // the model: the ring's tokens, oldest first
        var held: [UInt32] = []  // claimed tokens, oldest claim first
        var dropsReleased = 0
        var nextFreshToken: UInt32 = 0
        var nextForeignToken: UInt32 = 1_000_000

        /// Checks what the ring did with offered `tokens` against the model, which
        /// accepts as many as fit and rejects the rest, in order. Returns the
        /// number accepted.
        func check(offered tokens: [UInt32], thrown: ReservationRing.CapacityExceeded?) throws(Disagreement) -> Int {
            let accepted = min(tokens.count, capacity - available.count)
            let expected = Array(tokens[accepted...])
            let rejected = thrown?.rejected ?? []
            try expect(rejected == expected, "offering \(tokens) rejected \(rejected), model rejects \(expected)")
            try expect(thrown.map { $0.capacity == capacity } ?? true, "error reports another capacity")
            available += tokens[..<accepted]
            return accepted
        }

        func expect(_ condition: Bool, _ message: @autoclosure () -> String) throws(Disagreement) {
            guard condition else { throw Disagreement(description: "\(context): \(message())") }
        }

        for _ in 0..<Int.random(in: 1...200, using: &rng) {
            switch Self.randomOperation(using: &rng) {
            case .claim:
                let claimed = ring.tryClaim()
                try expect(claimed == available.first, "claimed \(claimed as Any), model has \(available.first as Any)")
                if let claimed {
                    available.removeFirst()
                    held.append(claimed)
                }
            case .release where !held.isEmpty:
                let token = held.remove(at: Int.random(in: held.indices, using: &rng))
                if try check(offered: [token], thrown: failure(of: try ring.release(token))) == 0 {
                    held.append(token)  // refused: the caller still holds it
                }
            case .expire where !held.isEmpty:
                let token = held.removeFirst()
                if try check(offered: [token], thrown: failure(of: try ring.release(token))) == 0 {
                    held.insert(token, at: 0)
                }
            case .newDrop where dropsReleased < drops:
                dropsReleased += 1
                let tokens = (0..<UInt32(unitsPerDrop)).map { nextFreshToken + $0 }
                _ = try check(offered: tokens, thrown: failure(of: try ring.add(tokens)))
                nextFreshToken += UInt32(unitsPerDrop)
            case .overfill:
                let count = capacity - available.count + Int.random(in: 1...3, using: &rng)
                let tokens = (0..<UInt32(count)).map { nextForeignToken + $0 }
                _ = try check(offered: tokens, thrown: failure(of: try ring.add(tokens)))
                nextForeignToken += UInt32(count)
            case .release, .expire, .newDrop:
                continue  // nothing held, or every drop is out
            }
            try expect(ring.approximateCount == available.count, "count \(ring.approximateCount), model has \(available.count)")
        }

        var drained: [UInt32] = []
        for _ in 0...capacity {
            guard let token = ring.tryClaim() else { break }
            drained.append(token)
        }
        try expect(drained == available, "drained \(drained), model has \(available)")
    }

    private static func randomOperation(using rng: inout SplitMix64) -> Operation {
        var pick = Int.random(in: 0..<Operation.allCases.reduce(0) { $0 + $1.weight }, using: &rng)
        for operation in Operation.allCases {
            if pick < operation.weight { return operation }
            pick -= operation.weight
        }
        preconditionFailure("weights do not cover the pick")
    }
}

private struct Disagreement: Error {
    let description: String
}

/// Runs `body` and returns the error it threw, if any.
private func failure(of body: @autoclosure () throws(ReservationRing.CapacityExceeded) -> Void) -> ReservationRing.CapacityExceeded? {
    do {
        try body()
        return nil
    } catch {
        return error
    }
}
