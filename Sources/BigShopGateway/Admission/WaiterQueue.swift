/// A FIFO of waiting calls where any one can leave (its caller cancelled)
/// in O(1): removed entries leave a hole, skipped when the head reaches it.
struct WaiterQueue<Waiter> {
    private var slots: [Waiter?] = []
    /// Index in `slots` of the first entry not taken yet.
    private var head = 0
    /// The ticket of `slots[0]`.
    private var firstTicket: UInt64 = 0
    private(set) var count = 0

    var isEmpty: Bool { count == 0 }

    /// Appends `waiter`; the ticket removes it later.
    mutating func append(_ waiter: Waiter) -> UInt64 {
        slots.append(waiter)
        count += 1
        return firstTicket + UInt64(slots.count - 1)
    }

    /// Takes the waiter with `ticket` out, if it is still queued.
    mutating func remove(_ ticket: UInt64) -> Waiter? {
        guard ticket >= firstTicket else { return nil }
        let index = Int(ticket - firstTicket)
        guard index >= head, index < slots.count, let waiter = slots[index] else { return nil }
        slots[index] = nil
        count -= 1
        return waiter
    }

    /// Takes the oldest waiter out.
    mutating func popFirst() -> (ticket: UInt64, waiter: Waiter)? {
        while head < slots.count {
            let index = head
            head += 1
            if let waiter = slots[index] {
                slots[index] = nil
                count -= 1
                let ticket = firstTicket + UInt64(index)
                compactIfWorthIt()
                return (ticket, waiter)
            }
        }
        compactIfWorthIt()
        return nil
    }

    /// The oldest waiter, without taking it.
    func first() -> Waiter? {
        var index = head
        while index < slots.count {
            if let waiter = slots[index] { return waiter }
            index += 1
        }
        return nil
    }

    /// Takes every waiter out, oldest first.
    mutating func removeAll() -> [Waiter] {
        let all = slots[head...].compactMap { $0 }
        firstTicket += UInt64(slots.count)
        slots.removeAll(keepingCapacity: false)
        head = 0
        count = 0
        return all
    }

    private mutating func compactIfWorthIt() {
        guard head >= 1_024, head * 2 >= slots.count else { return }
        slots.removeFirst(head)
        firstTicket += UInt64(head)
        head = 0
    }
}
