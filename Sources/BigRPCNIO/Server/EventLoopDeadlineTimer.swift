import BigRPC
import NIOCore

/// Enforces call deadlines with the connection's event loop timer: no task
/// and no dispatch timer per call (a busy server spent ~14% of its time in
/// the dispatch timer thread with sleeping tasks, Benchmarks/).
struct EventLoopDeadlineTimer: DeadlineTimer {
    let eventLoop: any EventLoop

    func schedule(after delay: Duration, _ action: @escaping @Sendable () -> Void) -> @Sendable () -> Void {
        let scheduled = eventLoop.scheduleTask(in: TimeAmount(delay)) { action() }
        return { scheduled.cancel() }
    }
}
