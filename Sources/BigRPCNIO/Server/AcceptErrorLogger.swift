import Logging
import NIOCore

/// On the listening channel: logs the errors `accept` reports (EMFILE and
/// ENFILE when descriptors run out, ENOBUFS, ENOMEM...), which NIO sends
/// through the listener's pipeline and nothing else would ever show. One
/// line per interval at most, with the count and the last error, so a flood
/// is visible without flooding the log. NIO's `AcceptBackoffHandler`, before
/// this one, pauses accepting after such an error.
final class AcceptErrorLogger: ChannelInboundHandler {
    typealias InboundIn = any Channel

    private var throttle: LogThrottle
    private var lastError: (any Error)?
    private let logger: Logger

    init(logger: Logger, interval: TimeAmount = .seconds(10)) {
        self.throttle = LogThrottle(interval: interval)
        self.logger = logger
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        lastError = error
        let eventLoop = context.eventLoop
        switch throttle.record(at: eventLoop.now) {
        case .log(let count):
            log(count)
        case .flushLater(let due):
            let handler = NIOLoopBound(self, eventLoop: eventLoop)
            eventLoop.scheduleTask(deadline: due) {
                let handler = handler.value
                if let count = handler.throttle.flush(at: eventLoop.now) { handler.log(count) }
            }
        case .quiet:
            break
        }
    }

    private func log(_ count: Int) {
        logger.error(
            "accepting connections failed",
            metadata: [
                "failures": "\(count)",
                "interval": "\(throttle.interval.roundedDescription)",
                "error": "\(lastError.map { "\($0)" } ?? "?")",
            ])
    }
}
