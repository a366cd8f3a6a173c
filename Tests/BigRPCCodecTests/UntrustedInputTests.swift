import BigRPCCodec
import BigRPCTestingProtos
import Testing

private let allTypesName = "bigrpc.testing.v1.AllTypes"
private let nestedName = "bigrpc.testing.v1.AllTypes.Nested"

/// Decoding bytes from the network: every bad input throws a precise error.
@Suite struct UntrustedInputTests {
    // MARK: Strings

    @Test func nulInStringFieldIsRefused() {
        #expect(throws: ProtoDecodingError(.stringContainsNUL, messageName: allTypesName, field: "f_string")) {
            try AllTypes(serializedBytes: WireBytes.field(14, Array("a\0b".utf8)))
        }
    }

    @Test(arguments: [
        (WireBytes.field(17, WireBytes.field(2, [0])), nestedName, "label"),
        (WireBytes.field(34, [0x61]) + WireBytes.field(34, [0x61, 0]), allTypesName, "r_string"),
        (WireBytes.field(41, WireBytes.field(1, [0])), "bigrpc.testing.v1.AllTypes.MStringStringEntry", "key"),
        (WireBytes.field(51, [0]), allTypesName, "c_string"),
        (WireBytes.field(61, [0x78, 0]), allTypesName, "default"),
        (WireBytes.field(60, WireBytes.field(14, [0])), allTypesName, "f_string"),
    ])
    func nulIsRefusedWhereverAStringIs(input: [UInt8], messageName: String, field: String) {
        #expect(throws: ProtoDecodingError(.stringContainsNUL, messageName: messageName, field: field)) {
            try AllTypes(serializedBytes: input)
        }
    }

    @Test func nulInBytesFieldIsData() throws {
        #expect(try AllTypes(serializedBytes: WireBytes.field(15, [0, 0x61, 0])).fBytes == [0, 0x61, 0])
    }

    @Test(
        arguments: [
            [0xC3, 0x28],  // a lead byte followed by ASCII
            [0xC0, 0x80],  // an overlong NUL
            [0xED, 0xA0, 0x80],  // a UTF-16 surrogate
            [0xF0, 0x9F],  // a truncated emoji
            [0xFF],
            [0x61, 0x80],  // a stray continuation byte
        ] as [[UInt8]])
    func invalidUTF8IsRefused(_ string: [UInt8]) {
        #expect(throws: ProtoDecodingError(.invalidUTF8, messageName: allTypesName, field: "f_string")) {
            try AllTypes(serializedBytes: WireBytes.field(14, string))
        }
    }

    @Test func invalidUTF8InNestedStringNamesTheField() {
        #expect(throws: ProtoDecodingError(.invalidUTF8, messageName: nestedName, field: "label")) {
            try AllTypes(serializedBytes: WireBytes.field(53, WireBytes.field(2, [0xC3])))
        }
    }

    // MARK: Malformed encodings

    @Test(
        arguments: [
            [0x08],  // a key with no value
            [0x08, 0x80],  // a truncated varint
            [0x08] + [UInt8](repeating: 0xFF, count: 10) + [0x01],  // an 11-byte varint
            [0x72, 0x05, 0x61, 0x62],  // a length past the end
            [0x72, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F],  // a 4 GiB length
            [0x0B], [0x0C], [0x0E], [0x0F],  // wire types 3, 4, 6 and 7
            [0x83, 0x7D, 0x00],  // wire type 3 on an unknown field
            [0x00, 0x00],  // field number 0
            [0x59, 0x00, 0x00],  // a truncated fixed64 (f_double)
            [0x5D, 0x00],  // a truncated fixed32 (f_float)
            [0x70, 0x01],  // a varint where a string belongs
            [0x8A, 0x01, 0x02, 0x08],  // a sub-message cut inside
        ] as [[UInt8]])
    func malformedInputThrows(_ input: [UInt8]) {
        #expect(throws: ProtoDecodingError(.malformed, messageName: allTypesName)) {
            try AllTypes(serializedBytes: input)
        }
    }

    @Test func everyTruncationThrowsOrDecodes() throws {
        let encoded = try Fixtures.bytes("maxima.bin")
        for length in 0..<encoded.count {
            do {
                _ = try AllTypes(serializedBytes: encoded[..<length])
            } catch {
                #expect(error.reason == .malformed, "truncated to \(length) bytes")
            }
        }
    }

    // MARK: Limits

    @Test func nestingUpToTheLimitDecodes() throws {
        // 63 `child` levels below the top message: 64 messages in all.
        let decoded = try AllTypes(serializedBytes: WireBytes.nestedChildren(depth: 63))
        var depth = 0
        var node: AllTypes? = decoded
        while let current = node {
            depth += 1
            node = current.child
        }
        #expect(depth == 64)
    }

    @Test func nestingPastTheLimitThrows() {
        #expect(throws: ProtoDecodingError(.nestingTooDeep(limit: 64), messageName: allTypesName)) {
            try AllTypes(serializedBytes: WireBytes.nestedChildren(depth: 64))
        }
    }

    @Test func hundredThousandLevelsThrowWithoutCrashing() {
        let input = WireBytes.nestedChildren(depth: 100_000)
        #expect(throws: ProtoDecodingError(.nestingTooDeep(limit: 64), messageName: allTypesName)) {
            try AllTypes(serializedBytes: input)
        }
    }

    @Test func customDepthLimitCountsEveryMessage() throws {
        let limits = ProtoDecodingLimits(maxDepth: 3)
        let threeLevels = try AllTypes(child: AllTypes(child: AllTypes(fInt32: 1))).serializedBytes()
        #expect(try AllTypes(serializedBytes: threeLevels, limits: limits).child?.child?.fInt32 == 1)
        let fourLevels = try AllTypes(child: AllTypes(child: AllTypes(fNested: Nested(value: 1)))).serializedBytes()
        #expect(throws: ProtoDecodingError(.nestingTooDeep(limit: 3), messageName: nestedName)) {
            try AllTypes(serializedBytes: fourLevels, limits: limits)
        }
    }

    @Test func inputOverTheSizeLimitThrows() throws {
        let input = try AllTypes(fString: String(repeating: "x", count: 20)).serializedBytes()
        #expect(throws: ProtoDecodingError(.tooLarge(size: input.count, limit: input.count - 1), messageName: allTypesName)) {
            try AllTypes(serializedBytes: input, limits: ProtoDecodingLimits(maxBytes: input.count - 1))
        }
        #expect(try AllTypes(serializedBytes: input, limits: ProtoDecodingLimits(maxBytes: input.count)).fString.count == 20)
    }

    @Test func defaultSizeLimitIsFourMiB() throws {
        let limit = 4 * 1024 * 1024
        #expect(ProtoDecodingLimits.default.maxBytes == limit)
        // f_bytes: a 1-byte key and a 4-byte length, then the payload.
        let atLimit = WireBytes.field(15, [UInt8](repeating: 7, count: limit - 5))
        #expect(atLimit.count == limit)
        #expect(try AllTypes(serializedBytes: atLimit).fBytes.count == limit - 5)
        #expect(throws: ProtoDecodingError(.tooLarge(size: limit + 1, limit: limit), messageName: allTypesName)) {
            try AllTypes(serializedBytes: atLimit + [0])
        }
    }

    // MARK: Unknown fields

    @Test func unknownFieldsOfEveryWireTypeAreSkipped() throws {
        let message = AllTypes(fInt32: 5, fString: "conhecido", child: AllTypes(fBool: true))
        let unknown =
            WireBytes.key(1000, wireType: 0) + WireBytes.varint(.max)
            + WireBytes.key(1001, wireType: 1) + [UInt8](repeating: 0xAB, count: 8)
            + WireBytes.field(1002, [0, 0xC3, 0xFF])  // not a string to us: NUL and bad UTF-8 are fine
            + WireBytes.key(1003, wireType: 5) + [1, 2, 3, 4]
            + WireBytes.field(536_870_911, [])  // the largest field number
        let input = unknown + (try message.serializedBytes()) + unknown
        #expect(try AllTypes(serializedBytes: input) == message)
        #expect(try Bigrpc_Testing_V1_Empty(serializedBytes: input) == Bigrpc_Testing_V1_Empty())
    }

    @Test func fieldNumberPastTheLargestIsMalformed() {
        #expect(throws: ProtoDecodingError(.malformed, messageName: allTypesName)) {
            try AllTypes(serializedBytes: WireBytes.field(536_870_912, []))
        }
    }

    // MARK: Encoding

    @Test(arguments: [
        (AllTypes(fString: "a\0b"), allTypesName, "f_string"),
        (AllTypes(rString: ["ok", "\0"]), allTypesName, "r_string"),
        (AllTypes(mStringString: ["k": "\0"]), "bigrpc.testing.v1.AllTypes.MStringStringEntry", "value"),
        (AllTypes(mStringNested: ["\0": Nested()]), "bigrpc.testing.v1.AllTypes.MStringNestedEntry", "key"),
        (AllTypes(fNested: Nested(label: "x\0")), nestedName, "label"),
        (AllTypes(child: AllTypes(default: "\0")), allTypesName, "default"),
        (AllTypes(choice: .cString("\0")), allTypesName, "c_string"),
    ])
    func encodingANULStringThrows(message: AllTypes, messageName: String, field: String) {
        #expect(throws: ProtoEncodingError(.stringContainsNUL, messageName: messageName, field: field)) {
            try message.serializedBytes()
        }
    }
}
