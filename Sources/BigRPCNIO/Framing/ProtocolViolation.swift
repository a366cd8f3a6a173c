public import BigRPC

/// A connection error: the peer broke the protocol. The server answers with
/// GOAWAY carrying `code` and closes the connection; other connections are
/// not affected.
public struct ProtocolViolation: Error, Hashable, Sendable, CustomStringConvertible {
    public var code: StatusCode
    public var message: String

    public init(_ code: StatusCode, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.name): \(message)" }
}
