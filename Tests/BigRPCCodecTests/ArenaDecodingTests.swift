import BigRPCCodec
import BigRPCTestingProtos
import Testing

/// Every input is unpacked into an arena whose first 1 KiB block is on the
/// stack and whose next blocks are on the heap: the same results whether the
/// C message fits the stack block or spills past it.
@Suite struct ArenaDecodingTests {
    private let large = AllTypes(
        fString: String(repeating: "ação ", count: 40),
        fBytes: [UInt8](repeating: 0x5A, count: 300),
        rString: (0..<20).map { "linha \($0)" },
        rNested: (0..<20).map { Nested(value: Int32($0), label: "n\($0)") },
        child: AllTypes(fString: "filho", rInt32: [1, 2, 3])
    )

    @Test func aLargeMessageRoundTrips() throws {
        let bytes = try large.serializedBytes()
        #expect(bytes.count >= 512)
        #expect(try AllTypes(serializedBytes: bytes) == large)
    }

    @Test func aRepeatedSingularStringKeepsTheLastValueOnBothPaths() throws {
        for padding in [0, 1200] {
            // f_bytes pads the C message past the 1 KiB stack block; f_string comes twice.
            let bytes =
                WireBytes.field(15, [UInt8](repeating: 1, count: padding))
                + WireBytes.field(14, Array("primeiro".utf8))
                + WireBytes.field(14, Array("segundo".utf8))
            let decoded = try AllTypes(serializedBytes: bytes)
            #expect(decoded.fString == "segundo", "input of \(bytes.count) bytes")
        }
    }

    @Test func everyTruncationOfALargeMessageThrowsOrDecodes() throws {
        let bytes = try large.serializedBytes()
        // Cuts that leave at least 500 bytes: C messages past the stack block.
        for length in 500..<bytes.count {
            do {
                _ = try AllTypes(serializedBytes: bytes[..<length])
            } catch {
                #expect(error.reason == .malformed, "truncated to \(length) bytes")
            }
        }
    }
}
