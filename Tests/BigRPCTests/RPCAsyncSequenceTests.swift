import BigRPC
import Synchronization
import Testing

/// `RPCAsyncSequence` and `RPCWriter`: the type-erased stream and writer
/// that handlers and clients see, passing elements and errors through as is.
@Suite struct RPCAsyncSequenceTests {
    struct Boom: Error {}

    @Test func yieldsWhatTheClosureReturnsUntilNil() async throws {
        let queue = RPCMessageQueue<Int>()
        for value in [3, 1, 2] { queue.yield(value) }
        queue.finish()
        let sequence = RPCAsyncSequence { try await queue.next() }
        var received: [Int] = []
        for try await value in sequence { received.append(value) }
        #expect(received == [3, 1, 2])
    }

    @Test func passesErrorsThrough() async throws {
        let queue = RPCMessageQueue<Int>()
        queue.yield(1)
        queue.finish(throwing: Boom())
        let sequence = RPCAsyncSequence { try await queue.next() }
        var received: [Int] = []
        await #expect(throws: Boom.self) {
            for try await value in sequence { received.append(value) }
        }
        #expect(received == [1])
    }

    @Test func iteratorsShareTheUnderlyingSource() async throws {
        let queue = RPCMessageQueue<Int>()
        for value in 1...4 { queue.yield(value) }
        queue.finish()
        let sequence = RPCAsyncSequence { try await queue.next() }
        var first = sequence.makeAsyncIterator()
        var second = sequence.makeAsyncIterator()
        #expect(try await first.next() == 1)
        #expect(try await second.next() == 2)
        #expect(try await first.next() == 3)
    }

    @Test func writerWritesEachElementInOrder() async throws {
        let written = Mutex<[Int]>([])
        let writer = RPCWriter<Int> { value in written.withLock { $0.append(value) } }
        try await writer.write(1)
        try await writer.write(contentsOf: [2, 3, 4])
        try await writer.write(contentsOf: [])
        #expect(written.withLock { $0 } == [1, 2, 3, 4])
    }

    @Test func writerStopsAtTheFirstFailedWrite() async throws {
        let written = Mutex<[Int]>([])
        let writer = RPCWriter<Int> { value in
            if value == 3 { throw Boom() }
            written.withLock { $0.append(value) }
        }
        await #expect(throws: Boom.self) { try await writer.write(contentsOf: [1, 2, 3, 4, 5]) }
        #expect(written.withLock { $0 } == [1, 2])
    }
}
