import BigRPCCodec
import BigRPCTestingProtos
import SeededRandom
import Testing

/// A seeded random-mutation loop over valid encodings: a small, always-on
/// cousin of the libFuzzer harness in Fuzz/.
@Suite struct MutationTests {
    @Test func mutatedEncodingsThrowOrRoundTrip() throws {
        var seeds = try Fixtures.names(endingWith: ".bin").map { try Fixtures.bytes($0) }
        seeds.append(
            try AllTypes(rNested: [Nested(value: 1, label: "a")], mStringNested: ["k": Nested(value: 2)], child: AllTypes(choice: .cNested(Nested(label: "b"))))
                .serializedBytes())
        seeds.append(try Bigrpc_Testing_V1_SimpleRequest(responseSize: 9, payload: [1, 2], responseStatus: .init(code: 3, message: "m")).serializedBytes())
        seeds = seeds.filter { !$0.isEmpty }

        var random = SplitMix64(seed: 0xB16_5809)
        let deadline = ContinuousClock.now + .seconds(60)
        var decoded = 0
        var iterations = 0
        while iterations < 20_000, ContinuousClock.now < deadline {
            let seed = seeds[Int(random.next() % UInt64(seeds.count))]
            decoded += DecodeOracle.check(Self.mutate(seed, &random))
            iterations += 1
        }
        #expect(iterations >= 1_000, "the loop ran out of time early")
        // The mutations must leave many inputs decodable, or the loop tests little.
        #expect(decoded > iterations / 4)
    }

    /// One to four random edits: bit flips, byte changes, inserts, deletions,
    /// truncation and duplicated slices.
    static func mutate(_ input: [UInt8], _ random: inout SplitMix64) -> [UInt8] {
        var bytes = input
        for _ in 0...(random.next() % 4) {
            let position = bytes.isEmpty ? 0 : Int(random.next() % UInt64(bytes.count))
            switch random.next() % 6 {
            case 0 where !bytes.isEmpty:
                bytes[position] ^= 1 << UInt8(random.next() % 8)
            case 1 where !bytes.isEmpty:
                bytes[position] = UInt8(truncatingIfNeeded: random.next())
            case 2:
                bytes.insert(UInt8(truncatingIfNeeded: random.next()), at: position)
            case 3 where !bytes.isEmpty:
                bytes.removeSubrange(position..<min(bytes.count, position + 1 + Int(random.next() % 8)))
            case 4:
                bytes.removeSubrange(position...)
            default:
                let end = min(bytes.count, position + Int(random.next() % 16))
                bytes.insert(contentsOf: bytes[position..<end], at: position)
            }
        }
        return bytes
    }
}
