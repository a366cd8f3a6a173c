import Synchronization

/// A single-consumer async queue that a transport fills without waiting.
///
/// The producer (an event loop) calls ``yield(_:)``, which never blocks and
/// reports whether the queue is above its high watermark; the producer should
/// then stop reading from the network. When the consumer drains the queue to
/// the low watermark, `onDemand` is called once so the producer can resume.
/// This bounds how much a fast sender can make a slow handler buffer.
public final class RPCMessageQueue<Element: Sendable>: Sendable {
    private struct State: ~Copyable {
        var buffer: [Element] = []
        var head = 0
        var finished = false
        var failure: (any Error)?
        var waiter: CheckedContinuation<Element?, any Error>?
        var aboveHighWatermark = false
        var cancelled = false
        /// Producers waiting in ``waitForDemand()``, by the id that lets a
        /// cancelled one take itself out.
        var producers: [Int: CheckedContinuation<Void, any Error>] = [:]
        var nextProducerID = 0

        var count: Int { buffer.count - head }

        mutating func popFirst() -> Element? {
            guard head < buffer.count else { return nil }
            let element = buffer[head]
            head += 1
            if head >= 64 && head * 2 >= buffer.count {
                buffer.removeFirst(head)
                head = 0
            }
            return element
        }
    }

    /// What a consumer finds when it looks at the queue.
    private enum Poll {
        case element(Element?)
        case failure(any Error)
        case wait
    }

    /// What a producer finds when it asks for demand.
    private enum DemandWait {
        case ready
        case cancelled
        case waiting
    }

    private let state = Mutex(State())
    private let highWatermark: Int
    private let lowWatermark: Int
    private let onDemand: @Sendable () -> Void

    /// - Parameters:
    ///   - highWatermark: above this many queued elements, ``yield(_:)`` asks
    ///     the producer to pause.
    ///   - lowWatermark: when the queue drains to this, `onDemand` runs.
    ///   - onDemand: called (on the consumer's thread) when a paused producer may resume.
    public init(highWatermark: Int = 16, lowWatermark: Int = 4, onDemand: @escaping @Sendable () -> Void = {}) {
        precondition(lowWatermark < highWatermark)
        self.highWatermark = highWatermark
        self.lowWatermark = lowWatermark
        self.onDemand = onDemand
    }

    /// Appends `element`. Returns false when the producer should pause.
    /// Elements yielded after ``finish(throwing:)`` are dropped.
    @discardableResult
    public func yield(_ element: Element) -> Bool {
        let (waiter, produceMore): (CheckedContinuation<Element?, any Error>?, Bool) = state.withLock { state in
            guard !state.finished else { return (nil, true) }
            if let waiter = state.waiter {
                state.waiter = nil
                return (waiter, true)
            }
            state.buffer.append(element)
            if state.count > highWatermark { state.aboveHighWatermark = true }
            return (nil, !state.aboveHighWatermark)
        }
        waiter?.resume(returning: element)
        return produceMore
    }

    /// Ends the sequence after the queued elements, normally or with `error`.
    public func finish(throwing error: (any Error)? = nil) {
        let (waiter, producers): (CheckedContinuation<Element?, any Error>?, [CheckedContinuation<Void, any Error>]) = state.withLock { state in
            guard !state.finished else { return (nil, []) }
            state.finished = true
            state.failure = error
            defer {
                state.waiter = nil
                state.producers = [:]
            }
            return (state.waiter, Array(state.producers.values))
        }
        if let waiter {
            if let error { waiter.resume(throwing: error) } else { waiter.resume(returning: nil) }
        }
        for producer in producers { producer.resume() }
    }

    /// For producers that can wait (not an event loop): suspends while the
    /// queue is above its high watermark, until the consumer drains it or the
    /// queue finishes.
    ///
    /// Returns at once when there is demand (or the queue has finished), even
    /// in a cancelled task.
    ///
    /// - Throws: `CancellationError` if the task is cancelled while it would
    ///   wait, so that a producer whose consumer stopped reading can still be
    ///   stopped.
    public func waitForDemand() async throws {
        let id: Int = state.withLock { state in
            defer { state.nextProducerID &+= 1 }
            return state.nextProducerID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let outcome: DemandWait = state.withLock { state in
                    guard state.aboveHighWatermark, !state.finished else { return .ready }
                    // Checked under the lock: a cancellation handler that ran
                    // before this registration found nothing to resume.
                    if Task.isCancelled { return .cancelled }
                    state.producers[id] = continuation
                    return .waiting
                }
                switch outcome {
                case .ready: continuation.resume()
                case .cancelled: continuation.resume(throwing: CancellationError())
                case .waiting: break
                }
            }
        } onCancel: {
            let producer = state.withLock { $0.producers.removeValue(forKey: id) }
            producer?.resume(throwing: CancellationError())
        }
    }

    /// Whether the producer has been asked to pause and not yet resumed.
    public var isPaused: Bool { state.withLock { $0.aboveHighWatermark } }

    /// The error the queue was finished with, known before the consumer
    /// reaches it; nil while open or after a normal finish.
    public var failure: (any Error)? { state.withLock { $0.failure } }

    /// The next element, nil at the end; throws the failure given to
    /// ``finish(throwing:)``, or `CancellationError` if the task is cancelled
    /// while waiting.
    public func next() async throws -> Element? {
        let immediate: Poll = state.withLock { state in
            if let element = state.popFirst() { return .element(element) }
            if state.cancelled { return .failure(CancellationError()) }
            if state.finished {
                if let failure = state.failure { return .failure(failure) }
                return .element(nil)
            }
            return .wait
        }
        switch immediate {
        case .element(let element):
            signalDemandIfDrained()
            return element
        case .failure(let error):
            throw error
        case .wait:
            break
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Element?, any Error>) in
                let outcome: Poll = state.withLock { state in
                    if let element = state.popFirst() { return .element(element) }
                    if state.cancelled { return .failure(CancellationError()) }
                    if state.finished {
                        if let failure = state.failure { return .failure(failure) }
                        return .element(nil)
                    }
                    state.waiter = continuation
                    return .wait
                }
                switch outcome {
                case .element(let element): continuation.resume(returning: element)
                case .failure(let error): continuation.resume(throwing: error)
                case .wait: signalDemandIfDrained()
                }
            }
        } onCancel: {
            let waiter: CheckedContinuation<Element?, any Error>? = state.withLock { state in
                state.cancelled = true
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume(throwing: CancellationError())
        }
    }

    private func signalDemandIfDrained() {
        let (resume, producers): (Bool, [CheckedContinuation<Void, any Error>]) = state.withLock { state in
            guard state.aboveHighWatermark, state.count <= lowWatermark else { return (false, []) }
            state.aboveHighWatermark = false
            defer { state.producers = [:] }
            return (true, Array(state.producers.values))
        }
        if resume { onDemand() }
        for producer in producers { producer.resume() }
    }
}

extension RPCMessageQueue: AsyncSequence {
    /// Reads the queue through ``RPCMessageQueue/next()``; every iterator of
    /// a queue takes from the same elements.
    public struct AsyncIterator: AsyncIteratorProtocol {
        let queue: RPCMessageQueue

        /// The queue's next element, as ``RPCMessageQueue/next()``.
        public mutating func next() async throws -> Element? {
            try await queue.next()
        }
    }

    /// An iterator over the queue's elements (for its single consumer).
    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(queue: self)
    }
}
