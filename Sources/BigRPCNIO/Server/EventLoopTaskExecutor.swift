import NIOCore

/// A `TaskExecutor` that runs every job on one event loop.
///
/// A handler task that prefers it runs on its connection's event loop, so a
/// unary call costs no thread hop to Swift's global executor and back (see
/// ``BigRPCServer/Configuration/runsHandlersOnEventLoops``).
final class EventLoopTaskExecutor: TaskExecutor {
    let eventLoop: any EventLoop

    init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        eventLoop.execute { job.runSynchronously(on: executor) }
    }
}
