/// Runs an action when a call's deadline passes, unless cancelled first.
///
/// ``RPCServer`` enforces every call's deadline with one. Transports supply a
/// cheap one (the NIO transport uses its event loop's timer); without one,
/// ``RPCServer`` sleeps in a task of its own, which costs a task and a
/// dispatch timer per call.
public protocol DeadlineTimer: Sendable {
    /// Calls `action` once, `delay` from now (at once if `delay` is not
    /// positive), unless the returned closure is called first. Calling the
    /// returned closure after `action` ran does nothing.
    func schedule(after delay: Duration, _ action: @escaping @Sendable () -> Void) -> @Sendable () -> Void
}

/// The fallback: a task that sleeps until the deadline.
struct SleepingDeadlineTimer: DeadlineTimer {
    func schedule(after delay: Duration, _ action: @escaping @Sendable () -> Void) -> @Sendable () -> Void {
        let task = Task {
            try await Task.sleep(for: delay)
            action()
        }
        return { task.cancel() }
    }
}
