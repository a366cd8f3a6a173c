import Synchronization

/// A bounded, lock-free, multi-producer multi-consumer FIFO of unit tokens.
///
/// A campaign creates one ring whose capacity is every unit it will ever release,
/// adds each drop's units with ``add(_:)``, and serves every "Reserve" with
/// ``tryClaim()``. A hold that expires or is cancelled gives its unit back with
/// ``release(_:)``.
///
/// Every operation is linearizable and lock-free: it takes no lock, makes no
/// system call, and retries only when another operation has made progress.
/// Tokens come out in the order they went in.
///
/// Each cell is one 64-bit atomic word holding a 32-bit stamp and the 32-bit token,
/// so filling or emptying a cell is a single compare-and-exchange: there is no
/// moment at which a cell is "being written", and a stalled thread never makes
/// another thread see a spurious empty or full ring. See docs/FLASHSALE.md.
public final class ReservationRing: @unchecked Sendable {
    // `@unchecked Sendable` is sound because:
    // - every stored property is a `let`;
    // - `words` points at memory that `init` allocates and initializes before `self`
    //   escapes, and that only `deinit` frees, when no other reference exists;
    // - between the two, that memory is read and written exclusively through
    //   `Atomic` operations in place, never by plain loads or stores.

    /// Thrown when tokens do not fit because the ring already holds `capacity` tokens.
    ///
    /// The capacity is every unit a campaign will ever release, so this is a
    /// programming error (a token released twice, or units added beyond the plan).
    /// The rejected tokens are handed back so that none is lost silently.
    public struct CapacityExceeded: Error, Equatable {
        /// The ring's capacity.
        public let capacity: Int
        /// The tokens that were not added, in the order they were offered.
        public let rejected: [UInt32]
    }

    /// The largest number of tokens the ring can hold at once.
    public let capacity: Int

    /// One atomic word of the allocation, operated on in place.
    private typealias Word = UnsafeMutablePointer<Atomic<UInt64>>

    /// Word offsets in the single allocation: the tail and head positions each
    /// sit at the start of their own 128-byte block (two cache lines, which also
    /// covers adjacent-line prefetch), so producers and consumers do not
    /// false-share; the cells follow.
    private enum Layout {
        static let wordsPerBlock = 128 / MemoryLayout<Atomic<UInt64>>.stride
        static let tail = 0
        static let head = wordsPerBlock
        static let firstCell = 2 * wordsPerBlock
    }

    private let words: Word
    private let wordCount: Int
    private let cellCount: UInt64

    /// The position the next added token will take. Positions grow by one per
    /// token added and never wrap in practice (2⁶⁴ operations).
    private let tail: Word
    /// The position of the next token to claim.
    private let head: Word

    /// Creates an empty ring that can hold `capacity` tokens.
    ///
    /// The storage, 8 bytes per token, is allocated here once and never grows.
    /// - Precondition: `capacity > 0`.
    public convenience init(capacity: Int) {
        self.init(capacity: capacity, firstLap: 0)
    }

    /// Creates an empty ring whose positions start at lap `firstLap` instead of 0.
    ///
    /// Behaves exactly like ``init(capacity:)``; tests use a lap close to 2³¹ to
    /// exercise the wrap-around of the 32-bit cell stamps.
    init(capacity: Int, firstLap: UInt64) {
        precondition(capacity > 0, "ReservationRing capacity must be positive, got \(capacity)")
        let (firstPosition, overflow) = firstLap.multipliedReportingOverflow(by: UInt64(capacity))
        precondition(!overflow, "ReservationRing first lap \(firstLap) is too large")

        self.capacity = capacity
        self.cellCount = UInt64(capacity)
        self.wordCount = Layout.firstCell + capacity
        let stride = MemoryLayout<Atomic<UInt64>>.stride
        self.words =
            UnsafeMutableRawPointer
            .allocate(byteCount: wordCount * stride, alignment: Layout.wordsPerBlock * stride)
            .bindMemory(to: Atomic<UInt64>.self, capacity: wordCount)
        let emptyCell = Cell(stamp: Cell.emptyStamp(lap: firstLap), token: 0).word
        for offset in 0..<wordCount {
            let initial: UInt64 =
                switch offset {
                case Layout.tail, Layout.head: firstPosition
                case Layout.firstCell...: emptyCell
                default: 0  // padding, never accessed
                }
            (words + offset).initialize(to: Atomic(initial))
        }
        self.tail = words + Layout.tail
        self.head = words + Layout.head
    }

    deinit {
        words.deinitialize(count: wordCount)
        UnsafeMutableRawPointer(words).deallocate()
    }

    /// Takes the oldest token, or returns `nil` at once if the ring is empty.
    ///
    /// Never blocks and never waits for another thread. `nil` means the ring was
    /// empty at one instant during the call: it is never a transient "busy"
    /// answer, so once every ``release(_:)`` and ``add(_:)`` has returned, `nil`
    /// means sold out, and while tokens remain every call gets one.
    public func tryClaim() -> UInt32? {
        while true {
            let position = head.pointee.load(ordering: .acquiring)
            let (lap, index) = position.quotientAndRemainder(dividingBy: cellCount)
            let slot = cell(at: index)
            let observed = slot.pointee.load(ordering: .acquiring)
            let filled = Cell.emptyStamp(lap: lap) &+ 1
            let lead = Cell(word: observed).lead(over: filled)
            if lead < 0 {
                // Position `position` has not been filled yet, and every earlier
                // position has been claimed: the ring is empty right now. The
                // recheck makes sure `position` was not stale, so that `lead` was
                // not misread from a stamp that wrapped around.
                if head.pointee.load(ordering: .relaxed) == position {
                    return nil
                }
            } else if lead > 0 {
                // Position `position` was claimed already, by a claim that has not
                // advanced `head` yet (or `position` is stale): move `head` on.
                advance(head, from: position)
            } else if slot.pointee.compareExchange(
                expected: observed,
                desired: Cell(stamp: filled &+ 1, token: 0).word,
                ordering: .acquiringAndReleasing
            ).exchanged {
                advance(head, from: position)
                return Cell(word: observed).token
            }
        }
    }

    /// Puts one token (back) into the ring, for example when a hold expires.
    ///
    /// Lock-free and never waits for another thread.
    /// - Throws: ``CapacityExceeded`` if the ring already holds `capacity` tokens.
    public func release(_ token: UInt32) throws(CapacityExceeded) {
        guard push(token) else {
            throw CapacityExceeded(capacity: capacity, rejected: [token])
        }
    }

    /// Puts tokens into the ring in order, for example a new drop's units.
    ///
    /// - Throws: ``CapacityExceeded`` if the ring fills up: the tokens before the
    ///   first rejected one were added; `rejected` holds that one and every token
    ///   after it.
    public func add(_ tokens: some Sequence<UInt32>) throws(CapacityExceeded) {
        var iterator = tokens.makeIterator()
        while let token = iterator.next() {
            guard push(token) else {
                var rejected = [token]
                while let remaining = iterator.next() {
                    rejected.append(remaining)
                }
                throw CapacityExceeded(capacity: capacity, rejected: rejected)
            }
        }
    }

    /// The number of tokens in the ring.
    ///
    /// Exact when no operation is in progress. While others run it is a
    /// snapshot that may be off by the operations that complete during the call,
    /// clamped to `0...capacity`.
    public var approximateCount: Int {
        let claimed = head.pointee.load(ordering: .relaxed)
        let added = tail.pointee.load(ordering: .relaxed)
        return min(max(Int(truncatingIfNeeded: added &- claimed), 0), capacity)
    }

    /// Fills the cell at `tail`, or returns `false` if the ring is full.
    private func push(_ token: UInt32) -> Bool {
        while true {
            let position = tail.pointee.load(ordering: .acquiring)
            let (lap, index) = position.quotientAndRemainder(dividingBy: cellCount)
            let slot = cell(at: index)
            let observed = slot.pointee.load(ordering: .acquiring)
            let empty = Cell.emptyStamp(lap: lap)
            let lead = Cell(word: observed).lead(over: empty)
            if lead < 0 {
                // The cell still holds the token of position `position - capacity`,
                // unclaimed, and every position before `position` has been filled:
                // the ring holds `capacity` tokens right now. The recheck is as in
                // `tryClaim()`.
                if tail.pointee.load(ordering: .relaxed) == position {
                    return false
                }
            } else if lead > 0 {
                // Position `position` was filled already, by a push that has not
                // advanced `tail` yet (or `position` is stale): move `tail` on.
                advance(tail, from: position)
            } else if slot.pointee.compareExchange(
                expected: observed,
                desired: Cell(stamp: empty &+ 1, token: token).word,
                ordering: .acquiringAndReleasing
            ).exchanged {
                advance(tail, from: position)
                return true
            }
        }
    }

    /// Moves `index` from `position` to the next one, unless someone already did.
    private func advance(_ index: Word, from position: UInt64) {
        _ = index.pointee.compareExchange(expected: position, desired: position &+ 1, ordering: .releasing)
    }

    private func cell(at index: UInt64) -> Word {
        words + Layout.firstCell + Int(truncatingIfNeeded: index)
    }
}

extension ReservationRing {
    /// The value of one ring cell: a 32-bit stamp in the high half and a token in
    /// the low half.
    ///
    /// For the position at lap `l` (position = l × capacity + cell index), the stamp
    /// is `2l` while the cell waits to be filled and `2l + 1` once it holds that
    /// position's token; claiming the token sets it to `2(l + 1)`, the empty stamp of
    /// the cell's next position. Stamps are kept modulo 2³² and compared by signed
    /// distance, so they wrap around like a clock.
    private struct Cell {
        let stamp: UInt32
        let token: UInt32

        init(stamp: UInt32, token: UInt32) {
            self.stamp = stamp
            self.token = token
        }

        init(word: UInt64) {
            self.init(stamp: UInt32(truncatingIfNeeded: word >> 32), token: UInt32(truncatingIfNeeded: word))
        }

        var word: UInt64 {
            UInt64(stamp) << 32 | UInt64(token)
        }

        static func emptyStamp(lap: UInt64) -> UInt32 {
            UInt32(truncatingIfNeeded: lap &<< 1)
        }

        /// How far this cell's stamp is ahead of `expected` (negative when behind).
        func lead(over expected: UInt32) -> Int32 {
            Int32(bitPattern: stamp &- expected)
        }
    }
}
