import BigRPC
import Synchronization
import Testing

/// `RPCMessageQueue`: FIFO delivery to one consumer, backpressure by high and
/// low watermarks (`yield`'s answer, `isPaused`, one `onDemand` per pause,
/// `waitForDemand`), and the end of the sequence, normal or failed.
@Suite(.timeLimit(.minutes(1)))
struct RPCMessageQueueTests {
    struct Boom: Error, Equatable {}

    /// Reads every remaining element of an open or finished queue.
    private func drain<E>(_ queue: RPCMessageQueue<E>, count: Int) async throws -> [E] {
        var elements: [E] = []
        for _ in 0..<count {
            guard let element = try await queue.next() else { break }
            elements.append(element)
        }
        return elements
    }

    // MARK: Order and end

    @Test func deliversInFIFOOrder() async throws {
        let queue = RPCMessageQueue<Int>(highWatermark: 1_000, lowWatermark: 10)
        for value in 0..<300 { queue.yield(value) }
        queue.finish()
        var received: [Int] = []
        for try await value in queue { received.append(value) }
        #expect(received == Array(0..<300))
    }

    /// Yields and reads interleaved, so that the consumed head of the buffer
    /// is compacted away several times.
    @Test func keepsFIFOOrderWhileInterleaved() async throws {
        let queue = RPCMessageQueue<Int>(highWatermark: 10_000, lowWatermark: 1)
        var next = 0
        var received: [Int] = []
        for round in 0..<40 {
            for _ in 0..<(round % 7 + 5) {
                queue.yield(next)
                next += 1
            }
            received += try await drain(queue, count: round % 5 + 3)
        }
        queue.finish()
        received += try await drain(queue, count: .max)
        #expect(received == Array(0..<next))
    }

    @Test func normalFinishEndsAfterTheQueuedElements() async throws {
        let queue = RPCMessageQueue<String>()
        queue.yield("a")
        queue.yield("b")
        queue.finish()
        #expect(try await queue.next() == "a")
        #expect(try await queue.next() == "b")
        #expect(try await queue.next() == nil)
        #expect(try await queue.next() == nil)
        #expect(queue.failure == nil)
    }

    @Test func failedFinishThrowsAfterTheQueuedElements() async throws {
        let queue = RPCMessageQueue<String>()
        queue.yield("a")
        queue.yield("b")
        queue.finish(throwing: Boom())
        #expect(try await queue.next() == "a")
        #expect(try await queue.next() == "b")
        await #expect(throws: Boom.self) { try await queue.next() }
        // The end is sticky: it keeps throwing.
        await #expect(throws: Boom.self) { try await queue.next() }
    }

    @Test func failureIsKnownBeforeTheConsumerReachesIt() {
        let queue = RPCMessageQueue<Int>()
        #expect(queue.failure == nil)
        queue.yield(1)
        queue.finish(throwing: Boom())
        #expect(queue.failure is Boom)
    }

    @Test func onlyTheFirstFinishCounts() async throws {
        let failed = RPCMessageQueue<Int>()
        failed.finish(throwing: Boom())
        failed.finish()
        #expect(failed.failure is Boom)
        await #expect(throws: Boom.self) { try await failed.next() }

        let ended = RPCMessageQueue<Int>()
        ended.finish()
        ended.finish(throwing: Boom())
        #expect(ended.failure == nil)
        #expect(try await ended.next() == nil)
    }

    @Test func elementsYieldedAfterFinishAreDropped() async throws {
        let queue = RPCMessageQueue<Int>()
        queue.yield(1)
        queue.finish()
        queue.yield(2)
        #expect(try await drain(queue, count: 10) == [1])
    }

    // MARK: A waiting consumer

    @Test func aWaitingConsumerGetsTheNextYield() async throws {
        let queue = RPCMessageQueue<Int>()
        let consumer = Task { try await queue.next() }
        try await Task.sleep(for: .milliseconds(20))
        #expect(queue.yield(42))
        #expect(try await consumer.value == 42)
        // Handed over, not also queued.
        queue.finish()
        #expect(try await queue.next() == nil)
    }

    @Test func aWaitingConsumerSeesANormalFinish() async throws {
        let queue = RPCMessageQueue<Int>()
        let consumer = Task { try await queue.next() }
        try await Task.sleep(for: .milliseconds(20))
        queue.finish()
        #expect(try await consumer.value == nil)
    }

    @Test func aWaitingConsumerSeesAFailedFinish() async throws {
        let queue = RPCMessageQueue<Int>()
        let consumer = Task { try await queue.next() }
        try await Task.sleep(for: .milliseconds(20))
        queue.finish(throwing: Boom())
        await #expect(throws: Boom.self) { try await consumer.value }
    }

    @Test func cancellingAWaitingConsumerThrowsCancellationError() async throws {
        let queue = RPCMessageQueue<Int>()
        let consumer = Task { try await queue.next() }
        try await Task.sleep(for: .milliseconds(20))
        consumer.cancel()
        await #expect(throws: CancellationError.self) { try await consumer.value }
    }

    @Test func aCancelledConsumerStillGetsQueuedElements() async throws {
        let queue = RPCMessageQueue<Int>()
        queue.yield(7)
        let consumer = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await queue.next()
        }
        #expect(try await consumer.value == 7)
    }

    // MARK: Backpressure

    @Test func yieldAsksToPauseOnceAboveTheHighWatermark() {
        let queue = RPCMessageQueue<Int>(highWatermark: 4, lowWatermark: 1)
        for value in 1...4 {
            #expect(queue.yield(value), "element \(value) is within the high watermark")
            #expect(!queue.isPaused)
        }
        #expect(!queue.yield(5))
        #expect(queue.isPaused)
        // Still paused: every further yield says so, and is still queued.
        #expect(!queue.yield(6))
        #expect(queue.isPaused)
    }

    @Test func pausedYieldsAreStillQueued() async throws {
        let queue = RPCMessageQueue<Int>(highWatermark: 2, lowWatermark: 1)
        for value in 1...6 { queue.yield(value) }
        queue.finish()
        #expect(try await drain(queue, count: 10) == [1, 2, 3, 4, 5, 6])
    }

    @Test func onDemandRunsOnceWhenDrainedToTheLowWatermark() async throws {
        let demands = Counter()
        let queue = RPCMessageQueue<Int>(highWatermark: 4, lowWatermark: 1) { demands.increment() }
        for value in 1...5 { queue.yield(value) }
        #expect(queue.isPaused)
        // 5 queued: reading to 4, 3 and 2 left is not enough.
        for _ in 1...3 { _ = try await queue.next() }
        #expect(demands.count == 0)
        #expect(queue.isPaused)
        // Down to 1, the low watermark: the producer may resume.
        _ = try await queue.next()
        #expect(demands.count == 1)
        #expect(!queue.isPaused)
        // Draining further does not ask again.
        _ = try await queue.next()
        #expect(demands.count == 1)
        #expect(queue.yield(6))
    }

    @Test func eachPauseGetsItsOwnOnDemand() async throws {
        let demands = Counter()
        let queue = RPCMessageQueue<Int>(highWatermark: 2, lowWatermark: 0) { demands.increment() }
        for round in 1...3 {
            for value in 0..<3 { queue.yield(value) }
            #expect(queue.isPaused)
            for _ in 0..<3 { _ = try await queue.next() }
            #expect(demands.count == round)
        }
    }

    @Test func noOnDemandWithoutAPause() async throws {
        let demands = Counter()
        let queue = RPCMessageQueue<Int>(highWatermark: 4, lowWatermark: 1) { demands.increment() }
        for value in 1...4 { queue.yield(value) }
        queue.finish()
        _ = try await drain(queue, count: 10)
        #expect(demands.count == 0)
    }

    @Test func waitForDemandReturnsAtOnceWhenNotPaused() async throws {
        let queue = RPCMessageQueue<Int>(highWatermark: 4, lowWatermark: 1)
        queue.yield(1)
        try await queue.waitForDemand()
        #expect(!queue.isPaused)
    }

    @Test func waitForDemandReturnsAtOnceWhenFinished() async throws {
        let queue = RPCMessageQueue<Int>(highWatermark: 1, lowWatermark: 0)
        for value in 1...3 { queue.yield(value) }
        queue.finish()
        #expect(queue.isPaused)
        try await queue.waitForDemand()
    }

    @Test func waitForDemandResumesWhenTheConsumerDrains() async throws {
        let log = EventLog()
        let queue = RPCMessageQueue<Int>(highWatermark: 2, lowWatermark: 1)
        for value in 1...3 { queue.yield(value) }
        let producer = Task {
            try await queue.waitForDemand()
            log.record("resumed")
        }
        // Reading one (3 → 2 queued) is not enough.
        _ = try await queue.next()
        try await Task.sleep(for: .milliseconds(50))
        log.record("drained")
        _ = try await queue.next()
        try await producer.value
        #expect(log.all == ["drained", "resumed"])
    }

    @Test func waitForDemandResumesWhenTheQueueFinishes() async throws {
        let log = EventLog()
        let queue = RPCMessageQueue<Int>(highWatermark: 2, lowWatermark: 1)
        for value in 1...3 { queue.yield(value) }
        let producers = (0..<2).map { _ in
            Task {
                try await queue.waitForDemand()
                log.record("resumed")
            }
        }
        try await Task.sleep(for: .milliseconds(50))
        log.record("finished")
        queue.finish()
        for producer in producers { try await producer.value }
        #expect(log.all == ["finished", "resumed", "resumed"])
    }

    @Test func waitForDemandInACancelledTaskReturnsWhenNotPaused() async throws {
        let queue = RPCMessageQueue<Int>(highWatermark: 4, lowWatermark: 1)
        queue.yield(1)
        let producer = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            try await queue.waitForDemand()
        }
        try await producer.value
    }

    @Test func waitForDemandInACancelledTaskThrowsWhenPaused() async throws {
        let queue = RPCMessageQueue<Int>(highWatermark: 1, lowWatermark: 0)
        for value in 1...2 { queue.yield(value) }
        let producer = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            try await queue.waitForDemand()
        }
        await #expect(throws: CancellationError.self) { try await producer.value }
        #expect(queue.isPaused, "cancelling a producer is no demand")
    }

    /// A producer whose consumer stopped reading can still be stopped.
    @Test func cancellingAWaitingProducerThrowsCancellationError() async throws {
        let log = EventLog()
        let queue = RPCMessageQueue<Int>(highWatermark: 1, lowWatermark: 0)
        for value in 1...2 { queue.yield(value) }
        let cancelled = Task {
            try await queue.waitForDemand()
        }
        let other = Task {
            try await queue.waitForDemand()
            log.record("other resumed")
        }
        try await Task.sleep(for: .milliseconds(20))
        cancelled.cancel()
        await #expect(throws: CancellationError.self) { try await cancelled.value }
        // Only the cancelled producer stopped waiting.
        try await Task.sleep(for: .milliseconds(20))
        log.record("draining")
        #expect(try await drain(queue, count: 2) == [1, 2])
        try await other.value
        #expect(log.all == ["draining", "other resumed"])
    }
}
