import Synchronization

/// Tells ``RPCServer`` that a call's deadline has passed.
///
/// A transport that has a cheap timer of its own (the NIO transport: its
/// event loop's) arms it when the call's headers arrive, fires this signal
/// when it expires and disarms it when the call ends; ``RPCServer`` then
/// ends the call with DEADLINE_EXCEEDED. A call without a signal but with a
/// timeout gets a sleeping task instead, which costs a task and a dispatch
/// timer per call.
public final class DeadlineSignal: Sendable {
    private enum State {
        case waiting(action: (@Sendable () -> Void)?)
        case fired
    }

    private let state = Mutex(State.waiting(action: nil))

    public init() {}

    /// The deadline has passed. Only the first call has an effect; firing
    /// after the call ended is harmless.
    public func fire() {
        let action: (@Sendable () -> Void)? = state.withLock { state in
            guard case .waiting(let action) = state else { return nil }
            state = .fired
            return action
        }
        action?()
    }

    /// Whether ``fire()`` was called.
    public var hasFired: Bool {
        state.withLock { if case .fired = $0 { true } else { false } }
    }

    /// Returns true when the signal fires (at once if it has already), or
    /// false when the calling task is cancelled first.
    func wait() async -> Bool {
        let waiter = Waiter()
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                waiter.set(continuation)
                let firedAlready: Bool = state.withLock { state in
                    guard case .waiting = state else { return true }
                    state = .waiting(action: { waiter.resume(true) })
                    return false
                }
                if firedAlready { waiter.resume(true) }
            }
        } onCancel: {
            waiter.resume(false)
        }
    }
}

/// A continuation resumed once, by whichever of the signal and the task's
/// cancellation comes first.
private final class Waiter: Sendable {
    private let state = Mutex<(continuation: CheckedContinuation<Bool, Never>?, result: Bool?)>((nil, nil))

    func set(_ continuation: CheckedContinuation<Bool, Never>) {
        let early: Bool? = state.withLock { state in
            if let result = state.result { return result }
            state.continuation = continuation
            return nil
        }
        if let early { continuation.resume(returning: early) }
    }

    func resume(_ result: Bool) {
        let continuation: CheckedContinuation<Bool, Never>? = state.withLock { state in
            guard state.result == nil else { return nil }
            state.result = result
            defer { state.continuation = nil }
            return state.continuation
        }
        continuation?.resume(returning: result)
    }
}
