#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A FIFO queue between async callers (producers) and database threads (consumers) that
/// block on a condition variable while it is empty.
///
/// `@unchecked Sendable` is safe because every access to the mutable state (`buffer`,
/// `head`, `isClosed`) happens while holding `mutex`, and the mutex/condition storage is
/// allocated once in `init`, never moved, and freed only in `deinit` when no thread can
/// reference the queue any more.
final class WorkQueue<Element: Sendable>: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let condition: UnsafeMutablePointer<pthread_cond_t>
    private var buffer: [Element?] = []
    private var head = 0
    private var isClosed = false

    init() {
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
        condition = .allocate(capacity: 1)
        condition.initialize(to: pthread_cond_t())
        pthread_cond_init(condition, nil)
    }

    deinit {
        pthread_cond_destroy(condition)
        condition.deallocate()
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// Appends `element` and wakes one consumer. Returns `false` (and drops nothing: the
    /// caller still owns `element`) if the queue is closed.
    func enqueue(_ element: Element) -> Bool {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        guard !isClosed else { return false }
        buffer.append(element)
        pthread_cond_signal(condition)
        return true
    }

    /// Refuses further elements and wakes every consumer. Elements already queued are still
    /// handed out; consumers get an empty array once the queue is drained.
    func close() {
        pthread_mutex_lock(mutex)
        isClosed = true
        pthread_cond_broadcast(condition)
        pthread_mutex_unlock(mutex)
    }

    /// Number of queued elements.
    var count: Int {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return buffer.count - head
    }

    /// Blocks until an element is available, then removes and returns it; if `joinable`
    /// accepts it, also removes the directly following elements that `joinable` accepts, up
    /// to `maxCount` in all. Returns an empty array when the queue is closed and drained.
    ///
    /// Removed slots are cleared, so the queue keeps no reference to handed-out elements.
    func take(maxCount: Int, joinable: (Element) -> Bool) -> [Element] {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        while head == buffer.count && !isClosed {
            pthread_cond_wait(condition, mutex)
        }
        guard head < buffer.count, let first = buffer[head].take() else { return [] }
        head += 1
        var taken = [first]
        if joinable(first) {
            while taken.count < maxCount, head < buffer.count, let next = buffer[head], joinable(next) {
                buffer[head] = nil
                head += 1
                taken.append(next)
            }
        }
        compact()
        return taken
    }

    private func compact() {
        if head == buffer.count {
            buffer.removeAll(keepingCapacity: buffer.count <= 4_096)
            head = 0
        } else if head >= 1_024 && head * 2 >= buffer.count {
            buffer.removeFirst(head)
            head = 0
        }
    }
}
