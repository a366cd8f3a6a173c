/// A least-recently-used cache of prepared statements keyed by SQL text, owned by one
/// ``Connection`` and used only on its thread.
final class StatementCache {
    private var entries: [String: (statement: Statement, lastUse: UInt64)] = [:]
    private var clock: UInt64 = 0
    let capacity: Int

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// The number of cached statements.
    var count: Int { entries.count }

    /// The cached statement for `sql`, or `nil`. Marks it as recently used.
    func statement(for sql: String) -> Statement? {
        guard let entry = entries[sql] else { return nil }
        clock &+= 1
        entries[sql] = (entry.statement, clock)
        return entry.statement
    }

    /// Adds a statement, evicting the least recently used one when full. An evicted
    /// statement is finalized as soon as no caller holds it any more.
    func insert(_ statement: Statement) {
        if entries.count >= capacity, entries[statement.sql] == nil,
            let oldest = entries.min(by: { $0.value.lastUse < $1.value.lastUse })?.key
        {
            entries[oldest] = nil
        }
        clock &+= 1
        entries[statement.sql] = (statement, clock)
    }

    /// Finalizes and drops every cached statement, even ones a caller still holds.
    func finalizeAll() {
        for entry in entries.values {
            entry.statement.finalize()
        }
        entries.removeAll()
    }
}
