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
        let (fired, firing) = AsyncStream.makeStream(of: Never.self)
        onFire { firing.finish() }
        // Ends when the signal fires, or when the task is cancelled.
        for await _ in fired {}
        return hasFired
    }

    /// Runs `action` when the signal fires, or at once if it has already.
    private func onFire(_ action: @escaping @Sendable () -> Void) {
        let firedAlready: Bool = state.withLock { state in
            guard case .waiting = state else { return true }
            state = .waiting(action: action)
            return false
        }
        if firedAlready { action() }
    }
}
