import Testing

@testable import FlashSaleRing

@Suite struct ReservationRingTests {
    @Test func newRingIsEmpty() {
        let ring = ReservationRing(capacity: 3)
        #expect(ring.capacity == 3)
        #expect(ring.approximateCount == 0)
        #expect(ring.tryClaim() == nil)
    }

    @Test func tokensComeOutInTheOrderTheyWentIn() throws {
        let ring = ReservationRing(capacity: 5)
        try ring.add([7, 3, 9])
        try ring.release(1)
        #expect(ring.approximateCount == 4)
        #expect([ring.tryClaim(), ring.tryClaim(), ring.tryClaim(), ring.tryClaim(), ring.tryClaim()] == [7, 3, 9, 1, nil])
        #expect(ring.approximateCount == 0)
    }

    @Test func releaseIntoAFullRingThrowsAndKeepsContents() throws {
        let ring = ReservationRing(capacity: 2)
        try ring.add([1, 2])
        #expect(throws: ReservationRing.CapacityExceeded(capacity: 2, rejected: [3])) {
            try ring.release(3)
        }
        #expect(ring.approximateCount == 2)
        #expect(ring.tryClaim() == 1)
        try ring.release(3)
        #expect([ring.tryClaim(), ring.tryClaim(), ring.tryClaim()] == [2, 3, nil])
    }

    @Test func addStopsAtCapacityAndReturnsTheRest() throws {
        let ring = ReservationRing(capacity: 4)
        try ring.add([1])
        #expect(throws: ReservationRing.CapacityExceeded(capacity: 4, rejected: [5, 6])) {
            try ring.add([2, 3, 4, 5, 6])
        }
        #expect(ring.approximateCount == 4)
        #expect((0..<5).map { _ in ring.tryClaim() } == [1, 2, 3, 4, nil])
    }

    @Test func addAcceptsAnySequence() throws {
        let ring = ReservationRing(capacity: 100)
        try ring.add(UInt32(0)..<100)
        #expect(ring.approximateCount == 100)
        #expect(ring.tryClaim() == 0)
    }

    @Test func capacityOneCyclesThroughManyLaps() throws {
        let ring = ReservationRing(capacity: 1)
        for token in UInt32(0)..<1_000 {
            try ring.release(token)
            #expect(throws: ReservationRing.CapacityExceeded.self) { try ring.release(token) }
            #expect(ring.tryClaim() == token)
            #expect(ring.tryClaim() == nil)
        }
    }

    /// Cell stamps are 2 × lap modulo 2³²: starting just below 2³¹ laps makes
    /// every cell's stamp wrap through zero during the test.
    @Test(arguments: [(1 << 31) - 2, (1 << 32) - 1] as [UInt64])
    func stampsWrapAround(firstLap: UInt64) throws {
        let ring = ReservationRing(capacity: 3, firstLap: firstLap)
        for lap in UInt32(0)..<8 {
            try ring.add([lap, lap + 100])
            #expect(ring.tryClaim() == lap)
            try ring.release(lap + 200)
            try ring.release(lap + 300)
            #expect(throws: ReservationRing.CapacityExceeded.self) { try ring.release(lap + 400) }
            #expect([ring.tryClaim(), ring.tryClaim(), ring.tryClaim(), ring.tryClaim()] == [lap + 100, lap + 200, lap + 300, nil])
        }
    }

    @Test func holdsAMillionTokens() throws {
        let capacity = 1_000_000
        let ring = ReservationRing(capacity: capacity)
        try ring.add(UInt32(0)..<UInt32(capacity))
        #expect(ring.approximateCount == capacity)
        #expect(throws: ReservationRing.CapacityExceeded.self) { try ring.release(0) }
        var next: UInt32 = 0
        for _ in 0...capacity {
            guard let token = ring.tryClaim() else { break }
            guard token == next else {
                Issue.record("claimed \(token), expected \(next)")
                return
            }
            next += 1
        }
        #expect(next == UInt32(capacity))
        #expect(ring.approximateCount == 0)
    }
}
