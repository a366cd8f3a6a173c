import Synchronization

/// An atomic integer shared by reference between tasks and threads.
final class SharedCounter: Sendable {
    let value = Atomic(0)
}
