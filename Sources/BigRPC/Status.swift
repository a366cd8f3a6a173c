/// The outcome of a call, as carried by a TRAILERS frame.
public struct Status: Hashable, Sendable, CustomStringConvertible {
    public var code: StatusCode
    /// Human readable; never internal details.
    public var message: String

    public init(code: StatusCode, message: String = "") {
        self.code = code
        self.message = message
    }

    public static let ok = Status(code: .ok)

    public var description: String {
        message.isEmpty ? code.name : "\(code.name): \(message)"
    }
}
