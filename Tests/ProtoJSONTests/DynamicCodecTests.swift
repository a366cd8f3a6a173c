import BigRPCCodec
import BigRPCTestingProtos
import Foundation
import Testing

/// `DynamicCodec` takes the generated types' path through protobuf-c: the
/// same bytes, the same refusals of untrusted input, no leaks.
@Suite struct DynamicCodecTests {
    typealias AllTypes = Bigrpc_Testing_V1_AllTypes
    let descriptor = AllTypes.protoDescriptor

    @Test func decodingAndEncodingKeepsTheGeneratedEncoding() throws {
        for value in [ReferenceValues.everyField, ReferenceValues.specialFloats, AllTypes(), AllTypes(choice: .cInt64(0))] {
            let bytes = try value.serializedBytes()
            let message = try DynamicMessage(serializedBytes: bytes, descriptor: descriptor)
            #expect(try message.serializedBytes() == bytes)
        }
    }

    @Test func fieldsReadAsTheirDescriptorSays() throws {
        let message = try DynamicCodec.decode(ReferenceValues.everyField.serializedBytes(), as: descriptor)
        #expect(message[fieldNamed: "f_uint64"] == .single(.uint64(.max)))
        #expect(message[fieldNamed: "f_enum"] == .single(.enumValue(2)))
        #expect(message[fieldNamed: "r_enum"] == .repeated([.enumValue(1), .enumValue(3), .enumValue(7)]))
        #expect(message[fieldNamed: "c_string"] == nil)
        guard case .single(.message(let chosen))? = message[fieldNamed: "c_nested"] else {
            Issue.record("the oneof member is not set")
            return
        }
        #expect(chosen[fieldNamed: "label"] == .single(.string("chosen")))
        #expect(
            message[fieldNamed: "m_int32_int64"]
                == .map([
                    DynamicMapEntry(key: .int32(-1), value: .int64(10)),
                    DynamicMapEntry(key: .int32(3), value: .int64(-30)),
                ]))
        #expect(message.setFields.map(\.field.number) == message.setFields.map(\.field.number).sorted())
    }

    @Test func aRepeatedMapKeyKeepsItsLastValue() throws {
        // m_string_string (41): {"k": "1"}, {"k": "2"}, {"a": ""}
        let bytes: [UInt8] = [
            0xCA, 0x02, 6, 0x0A, 1, 0x6B, 0x12, 1, 0x31,
            0xCA, 0x02, 6, 0x0A, 1, 0x6B, 0x12, 1, 0x32,
            0xCA, 0x02, 3, 0x0A, 1, 0x61,
        ]
        let message = try DynamicCodec.decode(bytes, as: descriptor)
        #expect(
            message[fieldNamed: "m_string_string"]
                == .map([
                    DynamicMapEntry(key: .string("a"), value: .string("")),
                    DynamicMapEntry(key: .string("k"), value: .string("2")),
                ]))
        #expect(try AllTypes(serializedBytes: message.serializedBytes()) == AllTypes(serializedBytes: bytes))
    }

    @Test func settingAOneofMemberUnsetsTheOthers() throws {
        var message = DynamicMessage(descriptor: descriptor)
        message[fieldNamed: "c_string"] = .single(.string("a"))
        message[fieldNamed: "c_int64"] = .single(.int64(0))
        #expect(message[fieldNamed: "c_string"] == nil)
        #expect(try AllTypes(serializedBytes: message.serializedBytes()).choice == .cInt64(0))
    }

    @Test func settingAMapSortsItsEntriesAndKeepsEachKeyOnce() throws {
        var message = DynamicMessage(descriptor: descriptor)
        message[fieldNamed: "m_bool_bytes"] = .map([
            DynamicMapEntry(key: .bool(true), value: .bytes([1])),
            DynamicMapEntry(key: .bool(false), value: .bytes([])),
            DynamicMapEntry(key: .bool(true), value: .bytes([2])),
        ])
        #expect(
            message[fieldNamed: "m_bool_bytes"]
                == .map([
                    DynamicMapEntry(key: .bool(false), value: .bytes([])),
                    DynamicMapEntry(key: .bool(true), value: .bytes([2])),
                ]))
        #expect(try message.serializedBytes() == AllTypes(mBoolBytes: [false: [], true: [2]]).serializedBytes())
    }

    @Test func contentMustFitItsField() throws {
        let field = try #require(descriptor.field(named: "f_int32"))
        #expect(DynamicField.single(.int32(1)).fits(field))
        #expect(!DynamicField.single(.int64(1)).fits(field))
        #expect(!DynamicField.repeated([.int32(1)]).fits(field))
        let map = try #require(descriptor.field(named: "m_uint64_enum"))
        #expect(map.isMap && map.mapKey?.type == .uint64 && map.mapValue?.type == .enum)
        #expect(!(try #require(descriptor.field(named: "r_nested"))).isMap)
        #expect(descriptor.field(named: "c_enum")?.oneofMembers.map(\.name) == ["c_string", "c_int64", "c_nested", "c_enum"])
    }

    /// Inputs each check of the decode path refuses.
    static let untrustedInputs: [(name: String, bytes: [UInt8], limits: ProtoDecodingLimits)] = [
        ("NUL in a string", [0x72, 3, 0x61, 0x00, 0x62], .default),
        ("invalid UTF-8", [0x72, 2, 0xC3, 0x28], .default),
        ("invalid UTF-8 in a oneof string", [0x9A, 0x03, 1, 0xFF], .default),
        ("invalid UTF-8 in a repeated string", [0x92, 0x02, 1, 0xFF], .default),
        ("invalid UTF-8 in a map key", [0xCA, 0x02, 3, 0x0A, 1, 0xFF], .default),
        ("truncated", [0x72, 5, 0x61], .default),
        ("a group", [0x0B, 0x0C], .default),
        ("too large", [UInt8](repeating: 0x08, count: 10), ProtoDecodingLimits(maxBytes: 4)),
        ("nested too deep", DynamicCodecTests.nestedChildren(70), .default),
        ("a split sub-message", [0x8A, 0x01, 0, 0x8A, 0x01, 0], .default),
        ("too many sub-messages", [0xAA, 0x02, 0, 0xAA, 0x02, 0, 0xAA, 0x02, 0], ProtoDecodingLimits(maxMessages: 2)),
    ]

    @Test(arguments: DynamicCodecTests.untrustedInputs.indices)
    func untrustedInputIsRefusedAsForGeneratedTypes(index: Int) {
        let input = DynamicCodecTests.untrustedInputs[index]
        let generated = #expect(throws: ProtoDecodingError.self, "\(input.name)") {
            try AllTypes(serializedBytes: input.bytes, limits: input.limits)
        }
        let dynamic = #expect(throws: ProtoDecodingError.self, "\(input.name)") {
            try DynamicCodec.decode(input.bytes, as: descriptor, limits: input.limits)
        }
        #expect(dynamic == generated, "\(input.name)")
    }

    @Test func aStringHoldingNULIsRefusedOnEncode() {
        var message = DynamicMessage(descriptor: descriptor)
        message[fieldNamed: "r_string"] = .repeated([.string("ok"), .string("a\u{0}b")])
        #expect(throws: ProtoEncodingError(.stringContainsNUL, messageName: "bigrpc.testing.v1.AllTypes", field: "r_string")) {
            try message.serializedBytes()
        }
    }

    #if os(Linux)
        @Test func decodeEncodeLoopKeepsResidentMemoryFlat() throws {
            let value = AllTypes(
                fBytes: [UInt8](repeating: 0xA5, count: 200_000),
                rString: (0..<100).map { "cadeia \($0)" },
                rNested: (0..<100).map { .init(value: Int32($0), label: "n\($0)") },
                mStringNested: Dictionary(uniqueKeysWithValues: (0..<50).map { ("k\($0)", .init(value: Int32($0))) }),
                child: AllTypes(rBytes: [[UInt8](repeating: 1, count: 10_000)])
            )
            let bytes = try value.serializedBytes()
            let iterations = 3_000
            // A leak of one call's buffers would grow by at least this much.
            #expect(bytes.count * iterations > 600_000_000)
            func cycle() throws {
                let reencoded = try DynamicCodec.encode(DynamicCodec.decode(bytes, as: descriptor))
                if reencoded.count != bytes.count { Issue.record("re-encoding changed the size") }
            }
            for _ in 0..<100 { try cycle() }
            let before = try Self.residentBytes()
            for _ in 0..<iterations { try cycle() }
            let growth = try Self.residentBytes() - before
            // Small against the 600 MB a per-call leak would add, generous
            // against the allocator and the other suites running alongside.
            #expect(growth < 256 * 1024 * 1024, "resident memory grew by \(growth) bytes")
        }

        /// The resident set size, from /proc/self/statm.
        static func residentBytes() throws -> Int {
            let fields = try String(contentsOfFile: "/proc/self/statm", encoding: .utf8).split(separator: " ")
            let pages = try #require(fields.count > 1 ? Int(fields[1]) : nil)
            return pages * sysconf(Int32(_SC_PAGESIZE))
        }
    #endif

    /// `depth` AllTypes, each the `child` (field 60) of the one before.
    static func nestedChildren(_ depth: Int) -> [UInt8] {
        var bytes: [UInt8] = []
        for _ in 0..<depth {
            var length = bytes.count
            var header: [UInt8] = [0xE2, 0x03]
            repeat {
                header.append(UInt8(length & 0x7F) | (length > 0x7F ? 0x80 : 0))
                length >>= 7
            } while length > 0
            bytes = header + bytes
        }
        return bytes
    }
}
