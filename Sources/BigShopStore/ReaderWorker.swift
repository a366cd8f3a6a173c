/// The loop of one reader thread: owns one reader connection and executes read jobs from the
/// queue shared by all reader threads.
///
/// Used only on its reader thread, so it needs no synchronization of its own.
final class ReaderWorker {
    private let connection: Connection
    private let queue: WorkQueue<ReadJob>

    init(connection: Connection, queue: WorkQueue<ReadJob>) {
        self.connection = connection
        self.queue = queue
    }

    /// Processes jobs until the queue is closed and drained, then closes the connection.
    func run() {
        while let complete = processNext() {
            // The job (and the caller body it captured) has been released by now.
            complete()
        }
        connection.close()
    }

    private func processNext() -> Completion? {
        guard let job = queue.take(maxCount: 1, joinable: { _ in false }).first else { return nil }
        return job(connection)
    }
}
