import BigRPC
import Synchronization

/// Runs one method's calls under a ``BenchPlan``: `concurrency` workers,
/// each calling in a loop over its share of the connections, paced to the
/// plan's rate, until the total or the duration is reached.
struct BenchRunner: Sendable {
    let plan: BenchPlan
    let transports: [any ClientTransport]
    let method: MethodDescriptor
    let requests: [[UInt8]]
    let metadata: Metadata
    let options: CallOptions

    /// Counts shared by the workers and the progress display.
    final class Counters: Sendable {
        /// Calls handed out to workers (call numbers, from 0).
        let started = Atomic<Int>(0)
        /// Calls finished, whatever their outcome.
        let finished = Atomic<Int>(0)
    }

    /// Runs the benchmark; `counters` lets the caller watch it.
    func run(counters: Counters, clock: ContinuousClock = ContinuousClock()) async -> (tally: BenchTally, elapsed: Duration) {
        let start = clock.now
        let end = plan.duration.map { start + $0 }
        let tally = await withTaskGroup(of: BenchTally.self) { group in
            for worker in 0..<plan.concurrency {
                let call = RawCall(
                    transport: transports[worker % transports.count],
                    method: method,
                    metadata: metadata,
                    options: options
                )
                group.addTask {
                    await work(call, counters: counters, start: start, end: end, clock: clock)
                }
            }
            var total = BenchTally()
            for await tally in group { total.merge(tally) }
            return total
        }
        return (tally, clock.now - start)
    }

    private func work(
        _ call: RawCall,
        counters: Counters,
        start: ContinuousClock.Instant,
        end: ContinuousClock.Instant?,
        clock: ContinuousClock
    ) async -> BenchTally {
        var tally = BenchTally()
        while !Task.isCancelled {
            let number = counters.started.wrappingAdd(1, ordering: .relaxed).oldValue
            if let total = plan.total, number >= total { break }
            if let rate = plan.rate {
                let due = start + Duration(saturatingSeconds: Double(number) / rate)
                if due > clock.now {
                    do { try await clock.sleep(until: due) } catch { break }
                }
            }
            if let end, clock.now >= end { break }
            let began = clock.now
            let code: StatusCode
            do {
                code = try await call.run(requests: requests) { _ in }.status.code
            } catch let error as RPCError {
                code = error.code
            } catch {
                code = .unknown
            }
            tally.record(clock.now - began, code)
            counters.finished.wrappingAdd(1, ordering: .relaxed)
        }
        return tally
    }
}
