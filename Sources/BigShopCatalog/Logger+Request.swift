import BigRPC
import Logging

extension Logger {
    /// This logger with the call's `request-id` in its metadata.
    func forRequest(_ context: ServerContext) -> Logger {
        var logger = self
        logger[metadataKey: "request-id"] = "\(context.requestID)"
        return logger
    }
}
