/// The ``RPCMessageObserver``s of one call, and the wrappers that tell them
/// of each message: ``RPCServer`` and ``RPCClient`` put them around a call's
/// streams only when an interceptor installed an observer, so a call with
/// none pays nothing.
struct MessageObservers: Sendable {
    private(set) var observers: [any RPCMessageObserver] = []

    var isEmpty: Bool { observers.isEmpty }

    mutating func append(_ observer: any RPCMessageObserver) {
        observers.append(observer)
    }

    func received() {
        for observer in observers { observer.messageReceived() }
    }

    func sent() {
        for observer in observers { observer.messageSent() }
    }

    /// `call` with its requests and responses reported to the observers.
    func observing(_ call: ServerCall) -> ServerCall {
        guard !isEmpty else { return call }
        var observed = call
        observed.requests = call.requests.peeking { _ in received() }
        observed.responses = ObservedResponseSink(base: call.responses, observers: self)
        return observed
    }

    /// `stream` with its requests and responses reported to the observers.
    func observing(_ stream: ClientStream) -> ClientStream {
        guard !isEmpty else { return stream }
        return ClientStream(
            requests: ObservedRequestSink(base: stream.requests, observers: self),
            responses: stream.responses.peeking { part in
                if case .message = part { received() }
            })
    }
}

extension MessageObservers: Hashable {
    static func == (lhs: MessageObservers, rhs: MessageObservers) -> Bool {
        lhs.observers.map(ObjectIdentifier.init) == rhs.observers.map(ObjectIdentifier.init)
    }

    func hash(into hasher: inout Hasher) {
        for observer in observers { hasher.combine(ObjectIdentifier(observer)) }
    }
}

/// A server call's response sink that reports each message written.
private struct ObservedResponseSink: ServerResponseSink {
    let base: any ServerResponseSink
    let observers: MessageObservers

    func write(_ message: [UInt8]) async throws {
        try await base.write(message)
        observers.sent()
    }

    func finish(status: Status, trailers: Metadata) {
        base.finish(status: status, trailers: trailers)
    }
}

/// A client call's request sink that reports each message written.
private struct ObservedRequestSink: ClientRequestSink {
    let base: any ClientRequestSink
    let observers: MessageObservers

    var halfClosesAfterMessages: Bool { base.halfClosesAfterMessages }

    func write(_ message: [UInt8], endStream: Bool) async throws {
        try await base.write(message, endStream: endStream)
        observers.sent()
    }

    func finish() async throws {
        try await base.finish()
    }
}
