/// A type-erased stream of messages: the requests a streaming handler reads,
/// or the responses a streaming client reads.
public struct RPCAsyncSequence<Element: Sendable>: AsyncSequence, Sendable {
    private let nextElement: @Sendable () async throws -> Element?

    /// Wraps a closure returning the next element, or nil at the end.
    public init(next: @escaping @Sendable () async throws -> Element?) {
        self.nextElement = next
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        let nextElement: @Sendable () async throws -> Element?

        public mutating func next() async throws -> Element? {
            try await nextElement()
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(nextElement: nextElement)
    }

    /// The same elements, each handed to `body` as it is read.
    func peeking(_ body: @escaping @Sendable (Element) -> Void) -> RPCAsyncSequence {
        let nextElement = self.nextElement
        return RPCAsyncSequence {
            let element = try await nextElement()
            if let element { body(element) }
            return element
        }
    }
}

/// Writes messages of one call: a streaming handler's responses, or a
/// streaming client's requests. A write suspends while the transport cannot
/// take more (the peer is not reading), so a fast writer never makes the
/// process buffer without bound.
public struct RPCWriter<Element: Sendable>: Sendable {
    private let writeElement: @Sendable (Element) async throws -> Void

    public init(write: @escaping @Sendable (Element) async throws -> Void) {
        self.writeElement = write
    }

    /// Sends one message.
    public func write(_ element: Element) async throws {
        try await writeElement(element)
    }

    /// Sends each message of `elements` in order.
    public func write(contentsOf elements: some Sequence<Element>) async throws {
        for element in elements {
            try await writeElement(element)
        }
    }
}
