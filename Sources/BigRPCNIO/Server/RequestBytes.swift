import BigRPC
import Synchronization

/// The request bytes a whole server holds for its calls, against a limit:
/// request messages that arrived and that their handlers have not taken yet,
/// the message of a unary or server-streaming request that has not ended
/// (no END_STREAM yet), and large frames still arriving.
///
/// Shared by every connection and updated from event loops and handler
/// tasks alike, so it is one atomic counter.
final class RequestByteBudget: Sendable {
    /// The most bytes held at once.
    let limit: Int
    private let held = Atomic<Int>(0)

    init(limit: Int) {
        self.limit = max(0, limit)
    }

    /// Counts `count` more bytes if that keeps the total within the limit;
    /// false (and nothing counted) if it would not.
    func reserve(_ count: Int) -> Bool {
        var current = held.load(ordering: .relaxed)
        while true {
            guard count <= limit - current else { return false }
            let (exchanged, original) = held.weakCompareExchange(
                expected: current, desired: current + count, ordering: .relaxed
            )
            if exchanged { return true }
            current = original
        }
    }

    /// `count` bytes reserved earlier are no longer held.
    func release(_ count: Int) {
        held.wrappingSubtract(count, ordering: .relaxed)
    }

    /// The bytes held now.
    var heldBytes: Int { held.load(ordering: .relaxed) }

    /// What a stream whose request the budget cannot take is told.
    var busyStatus: Status {
        Status(
            code: .resourceExhausted,
            message: "server busy: too many request bytes buffered (limit \(limit)); retry later"
        )
    }
}

/// The request bytes one connection holds, within the process's
/// ``RequestByteBudget``. Past `limit` the connection stops reading (its
/// ``isPaused``) until its handlers have taken enough that it is back under
/// half the limit: backpressure, never an error.
///
/// Bytes are counted on the event loop and released either there (a stream
/// ends) or by a handler's task as it takes a message, so the count is
/// atomic; a release that ends a pause calls `onResume` once.
final class ConnectionRequestBytes: Sendable {
    let limit: Int
    let process: RequestByteBudget
    private let held = Atomic<Int>(0)
    private let paused = Atomic<Bool>(false)
    private let onResume: @Sendable () -> Void

    /// - Parameter onResume: called (from any thread) when a pause ends;
    ///   it should have the event loop read again.
    init(limit: Int, process: RequestByteBudget, onResume: @escaping @Sendable () -> Void) {
        self.limit = max(0, limit)
        self.process = process
        self.onResume = onResume
    }

    /// On the event loop: counts `count` bytes against the connection and the
    /// process. False (and nothing counted) when the process is over its
    /// budget; the connection's own limit only pauses reading.
    func reserve(_ count: Int) -> Bool {
        guard process.reserve(count) else { return false }
        let now = held.wrappingAdd(count, ordering: .sequentiallyConsistent).newValue
        if now > limit, !paused.load(ordering: .sequentiallyConsistent) {
            paused.store(true, ordering: .sequentiallyConsistent)
            // A handler may have taken bytes between the two steps and seen
            // no pause to end: look again.
            if held.load(ordering: .sequentiallyConsistent) <= limit / 2 {
                resumeIfPaused()
            }
        }
        return true
    }

    /// From anywhere: `count` bytes reserved earlier are no longer held.
    func release(_ count: Int) {
        guard count > 0 else { return }
        process.release(count)
        let now = held.wrappingSubtract(count, ordering: .sequentiallyConsistent).newValue
        if now <= limit / 2 { resumeIfPaused() }
    }

    /// Whether the connection should not read now.
    var isPaused: Bool { paused.load(ordering: .sequentiallyConsistent) }

    /// The bytes the connection holds now.
    var heldBytes: Int { held.load(ordering: .relaxed) }

    private func resumeIfPaused() {
        if paused.compareExchange(expected: true, desired: false, ordering: .sequentiallyConsistent).exchanged {
            onResume()
        }
    }
}

/// The request bytes one stream holds, within its connection's. Released
/// piece by piece by the handler's task as it takes messages (streaming
/// requests) and all at once on the event loop when the request or the
/// stream ends; each byte is released exactly once, whichever comes first.
final class StreamRequestBytes: Sendable {
    private let connection: ConnectionRequestBytes
    private let held = Atomic<Int>(0)

    init(connection: ConnectionRequestBytes) {
        self.connection = connection
    }

    /// On the event loop: counts a message of `count` bytes; false when the
    /// process is over its budget.
    func reserve(_ count: Int) -> Bool {
        guard connection.reserve(count) else { return false }
        held.wrappingAdd(count, ordering: .relaxed)
        return true
    }

    /// From the handler's task: a message of `count` bytes was taken. Does
    /// nothing if ``releaseAll()`` already released it.
    func release(_ count: Int) {
        var current = held.load(ordering: .relaxed)
        while current >= count {
            let (exchanged, original) = held.weakCompareExchange(
                expected: current, desired: current - count, ordering: .relaxed
            )
            if exchanged {
                connection.release(count)
                return
            }
            current = original
        }
    }

    /// On the event loop: the request or the stream ended; whatever is
    /// still counted is released.
    func releaseAll() {
        connection.release(held.exchange(0, ordering: .relaxed))
    }
}
