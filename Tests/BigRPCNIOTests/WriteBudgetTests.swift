import Testing

@testable import BigRPCNIO

/// The writers' allowance of bytes queued for the event loop.
@Suite struct WriteBudgetTests {
    @Test func writesWithinTheLimitGoOnAtOnce() {
        let budget = WriteBudget(writable: AtomicFlag(true))
        #expect(budget.reserve(WriteBudget.maxQueuedBytes / 2))
        #expect(budget.reserve(WriteBudget.maxQueuedBytes / 2))
        #expect(!budget.reserve(1), "past the limit the writer waits")
    }

    @Test func aFullChannelMakesEveryWriterWait() {
        let writable = AtomicFlag(false)
        let budget = WriteBudget(writable: writable)
        #expect(!budget.reserve(10))
        budget.release(10)
        writable.set(true)
        #expect(budget.reserve(10))
    }

    @Test func aWriterThatWaitedLeavesNothingBehind() {
        // Each reserve is matched by one release, whether the writer went on
        // or waited: after a burst past the limit the count is back to zero.
        let budget = WriteBudget(writable: AtomicFlag(true))
        let size = 100 * 1024
        var reserved = 0
        for _ in 0..<5 {
            _ = budget.reserve(size)
            reserved += 1
        }
        for _ in 0..<reserved { budget.release(size) }
        #expect(budget.queuedBytes == 0)
        #expect(budget.reserve(size))
    }
}
