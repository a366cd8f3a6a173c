/// The loop of a writer thread: owns one writer connection and executes the writer queue in
/// FIFO order, merging adjacent `writeBatched` requests into group commits. SQLite has one
/// writer thread; PostgreSQL several, sharing the queue.
///
/// Used only on the writer thread, so it needs no synchronization of its own.
final class WriterWorker {
    private static let batchSavepoint = "bigshop_batch"

    private let connection: Connection
    private let queue: WorkQueue<WriteRequest>
    private let metrics: MetricsCounters
    private let maxBatchSize: Int

    init(connection: Connection, queue: WorkQueue<WriteRequest>, metrics: MetricsCounters, maxBatchSize: Int) {
        self.connection = connection
        self.queue = queue
        self.metrics = metrics
        self.maxBatchSize = maxBatchSize
    }

    /// Processes requests until the queue is closed and drained, then closes the connection.
    func run() {
        while let completions = processNext() {
            // Every request (and with it every caller body) has been released by now.
            for complete in completions { complete() }
        }
        connection.close()
    }

    /// Takes the next request, or the next run of adjacent batched requests, executes it and
    /// returns the completions to run. Returns `nil` once the queue is closed and drained.
    private func processNext() -> [Completion]? {
        let requests = queue.take(maxCount: maxBatchSize, joinable: { $0.isBatched })
        guard !requests.isEmpty else { return nil }
        if requests.count == 1, case .exclusive(let job) = requests[0] {
            return [job(connection)]
        }
        var batch: [BatchedWrite] = []
        batch.reserveCapacity(requests.count)
        for request in requests {
            if case .batched(let item) = request { batch.append(item) }
        }
        return runBatch(batch)
    }

    /// Group commit: one write transaction around all bodies, each body in its own
    /// savepoint. A failing body is rolled back to its savepoint and fails alone, right away;
    /// the others are resumed only after COMMIT succeeded. On PostgreSQL, a batch that loses
    /// a race with another writer (40001/40P01) is run again whole, like a single write.
    private func runBatch(_ items: [BatchedWrite]) -> [Completion] {
        metrics.recordBatch(size: items.count)
        var completions: [Completion] = []
        completions.reserveCapacity(items.count)
        var pending = items[...]
        var attempt = 1
        var reconnects = 0
        /// Counts a try that failed as a whole with `error`: true if the bodies run again
        /// (a lost race always: past the budget, one by one below; a connection lost
        /// before COMMIT a few times, on a new connection at the next BEGIN).
        func mayRunAgain(after error: PostgresError) -> Bool {
            if error.isRetryable {
                if attempt < SerializationRetry.maxAttempts { SerializationRetry.pause(beforeAttempt: attempt + 1) }
                attempt += 1
                return true
            }
            guard error.isConnectionLostBeforeCommit, reconnects < SerializationRetry.maxReconnectAttempts else { return false }
            reconnects += 1
            return true
        }
        while !pending.isEmpty {
            if attempt >= SerializationRetry.maxAttempts {
                // The batch kept losing races (PostgreSQL, every writer on the same few
                // rows or pages): one loser aborts all of it, and its budget is shared.
                // Run what is left one body per transaction, each with a budget of its
                // own, as write(_:) does, rather than failing bodies that did nothing wrong.
                completions.append(contentsOf: pending.map(runAlone))
                return completions
            }
            let start = ContinuousClock.now
            do {
                try connection.runControl(connection.beginWrite)
            } catch let error as PostgresError where mayRunAgain(after: error) {
                continue
            } catch {
                completions.append(contentsOf: pending.map { Self.failure($0, error) })
                return completions
            }
            var succeeded: [(item: BatchedWrite, complete: Completion)] = []
            succeeded.reserveCapacity(pending.count)
            var transactionLost = false
            var lostRace = false
            while let item = pending.popFirst() {
                do {
                    try connection.runControl("SAVEPOINT \(Self.batchSavepoint)")
                    let complete = try item.execute(connection)
                    try connection.runControl("RELEASE \(Self.batchSavepoint)")
                    succeeded.append((item, complete))
                } catch let error as PostgresError where mayRunAgain(after: error) {
                    connection.rollbackIfNeeded()
                    pending = [item] + pending
                    lostRace = true
                    break
                } catch {
                    completions.append(Self.failure(item, error))
                    if !connection.rollbackToSavepoint(Self.batchSavepoint) {
                        connection.rollbackIfNeeded()
                        transactionLost = true
                        break
                    }
                }
            }
            if transactionLost || lostRace {
                // SQLite abandoned the whole transaction (SQLITE_FULL, SQLITE_IOERR, an
                // ON CONFLICT ROLLBACK clause...), or PostgreSQL chose it as the loser of a
                // race or lost its connection before COMMIT, undoing the bodies that had
                // succeeded. Run those again in a new transaction. A SQLite round removes at
                // least the failing body; PostgreSQL rounds are bounded by the budgets of
                // SerializationRetry: so this loop ends.
                pending = ArraySlice(succeeded.map(\.item)) + pending
                continue
            }
            do {
                try connection.runControl("COMMIT")
                metrics.recordCommit()
                metrics.recordCommitTime(since: start)
                completions.append(contentsOf: succeeded.map(\.complete))
            } catch let error as PostgresError where error.isRetryable && mayRunAgain(after: error) {
                connection.rollbackIfNeeded()
                pending = ArraySlice(succeeded.map(\.item)) + pending
            } catch {
                // Including a connection lost during COMMIT: the outcome is unknown (08007),
                // so the callers are told rather than the bodies run twice.
                connection.rollbackIfNeeded()
                completions.append(contentsOf: succeeded.map { Self.failure($0.item, error) })
            }
        }
        return completions
    }

    /// Runs one body in a transaction of its own, again while it loses races.
    private func runAlone(_ item: BatchedWrite) -> Completion {
        let start = ContinuousClock.now
        do {
            let complete = try SerializationRetry.run {
                try connection.transaction(begin: connection.beginWrite) { try item.execute(connection) }
            }
            metrics.recordCommit()
            metrics.recordCommitTime(since: start)
            return complete
        } catch {
            return Self.failure(item, error)
        }
    }

    /// A completion that fails `item`'s caller; it captures only the failure callback.
    private static func failure(_ item: BatchedWrite, _ error: any Error) -> Completion {
        let fail = item.fail
        return { fail(error) }
    }
}
