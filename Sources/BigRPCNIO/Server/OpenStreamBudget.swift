import BigRPC
import Synchronization

/// Streams open at once across connections (the whole process, or every
/// connection from one address): one connection's own cap does not stop
/// many connections from holding many streams each.
final class OpenStreamBudget: Sendable {
    let limit: Int
    private let count = Atomic<Int>(0)

    init(limit: Int) {
        self.limit = limit
    }

    /// Counts one more open stream, unless that would pass the limit.
    func reserve() -> Bool {
        guard count.wrappingAdd(1, ordering: .relaxed).newValue > limit else { return true }
        count.wrappingSubtract(1, ordering: .relaxed)
        return false
    }

    func release(_ streams: Int) {
        count.wrappingSubtract(streams, ordering: .relaxed)
    }

    var current: Int { count.load(ordering: .relaxed) }
}

/// The open-stream budgets one connection draws on, and what it holds of them.
struct ConnectionStreamBudgets {
    let process: OpenStreamBudget
    /// Shared by the connections from the connection's address; nil if unknown.
    let address: OpenStreamBudget?
    /// Streams this connection has counted and not yet released.
    private(set) var held = 0

    init(process: OpenStreamBudget, address: OpenStreamBudget?) {
        self.process = process
        self.address = address
    }

    /// Counts a new stream, or says which cap refuses it.
    mutating func reserve() -> Status? {
        guard process.reserve() else {
            return Status(code: .resourceExhausted, message: "too many open streams (limit \(process.limit))")
        }
        if let address, !address.reserve() {
            process.release(1)
            return Status(code: .resourceExhausted, message: "too many open streams from one address (limit \(address.limit))")
        }
        held += 1
        return nil
    }

    /// Releases what is held beyond `open` streams.
    mutating func settle(open: Int) {
        guard open < held else { return }
        process.release(held - open)
        address?.release(held - open)
        held = open
    }
}
