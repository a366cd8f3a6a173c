#if os(Linux)
    import BigRPCCodec
    import BigRPCTestingProtos
    import Foundation
    import Testing

    /// Repeated decoding and encoding must not accumulate memory: each call's
    /// arena and C structs are released when it returns.
    @Suite struct MemoryTests {
        @Test func decodeEncodeLoopKeepsResidentMemoryFlat() throws {
            let message = AllTypes(
                fString: String(repeating: "memória ", count: 500),
                fBytes: [UInt8](repeating: 0xA5, count: 100_000),
                rInt32: Array(0..<1_000),
                rString: (0..<100).map { "cadeia \($0)" },
                rNested: (0..<100).map { Nested(value: Int32($0), label: "n\($0)") },
                mStringNested: Dictionary(uniqueKeysWithValues: (0..<50).map { ("k\($0)", Nested(value: Int32($0))) }),
                child: AllTypes(rBytes: [[UInt8](repeating: 1, count: 10_000)])
            )
            let encoded = try message.serializedBytes()
            let iterations = 10_000
            // A leak of one call's buffers would grow by at least this much.
            #expect(encoded.count * iterations > 1_000_000_000)

            func cycle() throws {
                let decoded = try AllTypes(serializedBytes: encoded)
                let reencoded = try decoded.serializedBytes()
                if reencoded.count != encoded.count { Issue.record("re-encoding changed the size") }
            }
            // Warm up so the allocator's caches are populated before measuring.
            for _ in 0..<200 { try cycle() }
            let before = try Self.residentBytes()
            for _ in 0..<iterations { try cycle() }
            let growth = try Self.residentBytes() - before
            // Generous against allocator noise and the whole suite running in the
            // same process at once (about 130 MB seen), small against the gigabyte
            // a per-call leak would add.
            #expect(growth < 512 * 1024 * 1024, "resident memory grew by \(growth) bytes")
        }

        /// The resident set size, from the second field of /proc/self/statm (pages).
        static func residentBytes() throws -> Int {
            let statm = try String(contentsOfFile: "/proc/self/statm", encoding: .utf8)
            let fields = statm.split(separator: " ")
            let pages = try #require(fields.count > 1 ? Int(fields[1]) : nil)
            return pages * sysconf(Int32(_SC_PAGESIZE))
        }
    }
#endif
