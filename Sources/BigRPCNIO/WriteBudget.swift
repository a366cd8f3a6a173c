import Synchronization

/// The bytes one stream's writer (off the event loop) has handed to the loop
/// and that are not written yet, and whether it may go on without waiting.
///
/// A writer calls ``reserve(_:)`` before handing a message to the loop and
/// the loop calls ``release(_:)`` once the message is written. Shared by the
/// client's request writers and the server's response writers.
final class WriteBudget: Sendable {
    /// Past this many queued bytes a writer waits for the event loop.
    static let maxQueuedBytes = 256 * 1024

    /// The connection's writability, mirrored from the event loop.
    private let writable: AtomicFlag
    private let queued = Atomic(0)

    init(writable: AtomicFlag) {
        self.writable = writable
    }

    /// Counts `size` bytes as queued. True when the writer may go on at once
    /// (the channel is writable and the queue within its limit); false when
    /// it should wait until its write is done and the channel can take more.
    func reserve(_ size: Int) -> Bool {
        let after = queued.wrappingAdd(size, ordering: .relaxed).newValue
        return writable.value && after <= WriteBudget.maxQueuedBytes
    }

    /// `size` bytes reserved earlier have been written.
    func release(_ size: Int) {
        queued.wrappingSubtract(size, ordering: .relaxed)
    }

    /// Bytes reserved and not released.
    var queuedBytes: Int { queued.load(ordering: .relaxed) }
}

/// A boolean set on an event loop and read off it (a channel's
/// writability, a connection's usability).
final class AtomicFlag: Sendable {
    private let storage: Atomic<Bool>

    init(_ value: Bool = true) {
        storage = Atomic(value)
    }

    var value: Bool { storage.load(ordering: .relaxed) }

    func set(_ value: Bool) {
        storage.store(value, ordering: .relaxed)
    }
}
