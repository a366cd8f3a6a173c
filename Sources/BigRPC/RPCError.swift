/// An error ending a call with a non-OK status.
///
/// Handlers throw it to choose the status code, message and trailing metadata
/// the client sees; clients receive it when a call fails. Any other error a
/// handler throws reaches the client as `INTERNAL` with a generic message.
public struct RPCError: Error, Hashable, Sendable, CustomStringConvertible {
    public var code: StatusCode
    /// Shown to the client: keep internal details out of it.
    public var message: String
    /// Trailing metadata, e.g. `reason` or `retry-after-ms`.
    public var metadata: Metadata
    /// Set by client transports when the server certainly never processed
    /// the call (no connection, or GOAWAY refused its stream): the call may
    /// be sent again, to this server or another, whatever it does. Never
    /// sent on the wire.
    public var callWasNotProcessed = false

    public init(_ code: StatusCode, _ message: String = "", metadata: Metadata = [:]) {
        precondition(code != .ok, "an RPCError cannot carry OK")
        self.code = code
        self.message = message
        self.metadata = metadata
    }

    /// A business-rule refusal: `FAILED_PRECONDITION` (or `code`) with a
    /// machine-readable `reason` trailer.
    public static func refused(
        _ reason: String,
        _ message: String,
        code: StatusCode = .failedPrecondition
    ) -> RPCError {
        RPCError(code, message, metadata: ["reason": reason])
    }

    public var status: Status { Status(code: code, message: message) }

    public var description: String {
        message.isEmpty ? code.name : "\(code.name): \(message)"
    }
}
