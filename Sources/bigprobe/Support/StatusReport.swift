import BigRPC

/// How `bigprobe` reports a call's failure.
enum StatusReport {
    /// The process exit code for a call that ended with `code`: 0 for OK,
    /// otherwise 64 + the status code.
    static func exitCode(_ code: StatusCode) -> Int32 {
        code == .ok ? 0 : 64 + code.rawValue
    }

    /// The status name and number, the message, then each trailer (sorted by
    /// key) on its own line:
    ///
    ///     ERROR NOT_FOUND (5): no product "p-9"
    ///       x-request-id: 1f0c…
    static func text(code: StatusCode, message: String, trailers: Metadata) -> String {
        var text = "ERROR \(code.name) (\(code.rawValue))"
        if !message.isEmpty { text += ": \(message)" }
        text += "\n"
        for (key, value) in trailers.sorted(by: { $0.key < $1.key }) {
            text += "  \(key): \(value)\n"
        }
        return text
    }
}
