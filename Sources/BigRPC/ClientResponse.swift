public import BigRPCCodec
import Synchronization

/// The outcome of a call with one response: the message or the error, and
/// the trailing metadata.
public struct ClientResponse<Message: Sendable>: Sendable {
    public var result: Result<Message, RPCError>
    /// Trailing metadata (also available as the error's metadata on failure).
    public var trailers: Metadata

    public init(result: Result<Message, RPCError>, trailers: Metadata) {
        self.result = result
        self.trailers = trailers
    }

    /// The response message, or the call's ``RPCError``.
    public var message: Message {
        get throws(RPCError) { try result.get() }
    }
}

/// The responses of a server-streaming or bidirectional call, in order.
///
/// Iteration ends normally when the server ends the call with OK, and throws
/// the ``RPCError`` otherwise. After the end, ``trailers`` holds the trailing
/// metadata.
public struct RPCResponseStream<Message: ProtoMessage>: AsyncSequence, Sendable {
    private let parts: RPCAsyncSequence<ClientResponsePart>
    private let limits: ProtoDecodingLimits
    private let trailerStore = TrailerStore()

    init(parts: RPCAsyncSequence<ClientResponsePart>, limits: ProtoDecodingLimits) {
        self.parts = parts
        self.limits = limits
    }

    /// The trailing metadata, once iteration has reached the end (nil before).
    public var trailers: Metadata? { trailerStore.value.withLock { $0 } }

    public struct AsyncIterator: AsyncIteratorProtocol {
        var parts: RPCAsyncSequence<ClientResponsePart>.AsyncIterator
        let limits: ProtoDecodingLimits
        let trailerStore: TrailerStore
        var finished = false

        public mutating func next() async throws -> Message? {
            guard !finished else { return nil }
            let received: ClientResponsePart?
            do {
                received = try await parts.next()
            } catch {
                finished = true
                throw RPCClient.rpcError(from: error)
            }
            guard let part = received else {
                finished = true
                throw RPCError(.internal, "the call ended without a status")
            }
            switch part {
            case .message(let bytes):
                do {
                    return try Message(serializedBytes: bytes, limits: limits)
                } catch {
                    finished = true
                    throw RPCError(.internal, "response is not a valid \(Message.protoDescriptor.fullName): \(error)")
                }
            case .status(let status, let trailers):
                finished = true
                trailerStore.value.withLock { $0 = trailers }
                if status.code == .ok { return nil }
                throw RPCError(status.code, status.message, metadata: trailers)
            }
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(parts: parts.makeAsyncIterator(), limits: limits, trailerStore: trailerStore)
    }

    final class TrailerStore: Sendable {
        let value = Mutex<Metadata?>(nil)
    }
}

/// A call result that knows the status it ended with, so that a
/// ``ClientInterceptor`` (metrics, tracing) can tell a failed call from a
/// successful one without knowing the response type: a unary call's failure
/// is returned in ``ClientResponse/result``, not thrown.
public protocol StatusReporting {
    /// The status code the call ended with.
    var statusCode: StatusCode { get }
}

extension ClientResponse: StatusReporting {
    public var statusCode: StatusCode {
        switch result {
        case .success: .ok
        case .failure(let error): error.code
        }
    }
}
