import BigRPCCodec
import BigRPCTestingProtos
import Testing

/// Encodes `message` and decodes the bytes back.
func roundTrip<M: ProtoMessage>(_ message: M) throws -> M {
    try M(serializedBytes: message.serializedBytes())
}

/// Semantic round trips of every field shape, beyond what byte-exact fixtures
/// can hold (maps with many entries, deep recursion, large payloads).
@Suite struct RoundTripTests {
    @Test(arguments: ReferenceFixture.all)
    func fixtureRoundTrips(_ fixture: ReferenceFixture) throws {
        #expect(try roundTrip(fixture.message) == fixture.message)
    }

    @Test func emptyMessageEncodesToNoBytes() throws {
        #expect(try AllTypes().serializedBytes() == [])
        #expect(try AllTypes(serializedBytes: [UInt8]()) == AllTypes())
    }

    @Test func subnormalsAndInfinitiesKeepTheirBits() throws {
        let floats: [Float] = [.leastNonzeroMagnitude, -.leastNonzeroMagnitude, .leastNormalMagnitude.nextDown, .infinity, -.infinity]
        let doubles: [Double] = [.leastNonzeroMagnitude, -.leastNonzeroMagnitude, .leastNormalMagnitude.nextDown, .infinity, -.infinity]
        for (float, double) in zip(floats, doubles) {
            let decoded = try roundTrip(AllTypes(fFloat: float, fDouble: double, rFloat: [float], rDouble: [double]))
            #expect(decoded.fFloat.bitPattern == float.bitPattern)
            #expect(decoded.fDouble.bitPattern == double.bitPattern)
            #expect(decoded.rFloat.map(\.bitPattern) == [float.bitPattern])
            #expect(decoded.rDouble.map(\.bitPattern) == [double.bitPattern])
        }
    }

    @Test func mapsWithManyEntries() throws {
        let message = AllTypes(
            mStringString: ["": "vazio", "ã": "", "😀": "emoji", "chave longa": String(repeating: "é", count: 500)],
            mInt32Int64: [.min: .max, -1: -1, 0: 0, 1: 1, .max: .min],
            mStringNested: ["": Nested(), "a": Nested(value: 1), "b": Nested(value: -1, label: "ç")],
            mUint64Enum: [0: .unspecified, 1: .red, .max: .unrecognized(99), 7: .unrecognized(-3)],
            mBoolBytes: [false: [], true: [0, 0, 0]]
        )
        #expect(try roundTrip(message) == message)
    }

    @Test func boolBytesMapEachKeyAlone() throws {
        for map: [Bool: [UInt8]] in [[false: [1]], [true: []], [false: [0]], [true: [0xFF, 0x00]]] {
            #expect(try roundTrip(AllTypes(mBoolBytes: map)).mBoolBytes == map)
        }
    }

    @Test func mapEncodingIgnoresInsertionOrder() throws {
        var forward: [Int32: Int64] = [:]
        var backward: [Int32: Int64] = [:]
        for key in Int32(-50)..<50 { forward[key] = Int64(key) * 3 }
        for key in (Int32(-50)..<50).reversed() { backward[key] = Int64(key) * 3 }
        #expect(try AllTypes(mInt32Int64: forward).serializedBytes() == AllTypes(mInt32Int64: backward).serializedBytes())
    }

    @Test(arguments: [
        AllTypes.OneOf_Choice.cString(""), .cString("olá 👋"),
        .cInt64(0), .cInt64(.min), .cInt64(.max),
        .cNested(Nested()), .cNested(Nested(value: 9, label: "nove")),
        .cEnum(.unspecified), .cEnum(.blue), .cEnum(.unrecognized(99)), .cEnum(.unrecognized(-1)),
    ])
    func oneofCase(_ choice: AllTypes.OneOf_Choice) throws {
        #expect(try roundTrip(AllTypes(choice: choice)).choice == choice)
    }

    @Test func noOneofCaseStaysNil() throws {
        #expect(try roundTrip(AllTypes(fInt32: 1)).choice == nil)
    }

    @Test func unknownEnumNumbersSurviveEverywhere() throws {
        let unknown = Color(rawValue: 99)
        #expect(unknown == .unrecognized(99))
        let message = AllTypes(fEnum: unknown, rEnum: [unknown, .red, .unrecognized(.min)], mUint64Enum: [1: unknown], choice: .cEnum(unknown))
        let decoded = try roundTrip(message)
        #expect(decoded == message)
        #expect(decoded.fEnum == .unrecognized(99))
    }

    @Test func recursiveChildTenLevelsDeep() throws {
        var message = AllTypes(fString: "folha")
        for level in 1...10 {
            message = AllTypes(fInt32: Int32(level), rString: ["nível \(level)"], child: message)
        }
        let decoded = try roundTrip(message)
        #expect(decoded == message)
        var depth = 0
        var node: AllTypes? = decoded
        while let current = node {
            depth += 1
            node = current.child
        }
        #expect(depth == 11)
    }

    @Test func keywordFieldNames() throws {
        let message = AllTypes(default: "valor padrão", self_p: -42)
        let decoded = try roundTrip(message)
        #expect(decoded.default == "valor padrão")
        #expect(decoded.self_p == -42)
    }

    @Test func everyRepeatedTypeWithManyElements() throws {
        let count = 1_000
        let message = AllTypes(
            rInt32: (0..<count).map { Int32($0) - 500 },
            rInt64: (0..<count).map { Int64($0) << 40 },
            rUint32: (0..<count).map { UInt32($0) * 4_000_000 },
            rUint64: (0..<count).map { UInt64($0) << 50 },
            rSint32: (0..<count).map { -Int32($0) },
            rSint64: (0..<count).map { -Int64($0) << 30 },
            rFixed32: (0..<count).map(UInt32.init),
            rFixed64: (0..<count).map(UInt64.init),
            rSfixed32: (0..<count).map { -Int32($0) },
            rSfixed64: (0..<count).map { -Int64($0) },
            rFloat: (0..<count).map { Float($0) / 3 },
            rDouble: (0..<count).map { Double($0) / 7 },
            rBool: (0..<count).map { $0 % 3 == 0 },
            rString: (0..<count).map { "s\($0)ç" },
            rBytes: (0..<count).map { [UInt8(truncatingIfNeeded: $0), 0] },
            rEnum: (0..<count).map { Color(rawValue: Int32($0 % 6)) },
            rNested: (0..<count).map { Nested(value: Int32($0), label: "n\($0)") }
        )
        #expect(try roundTrip(message) == message)
    }

    @Test func largePayloads() throws {
        let bytes = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let message = AllTypes(fString: String(repeating: "ção", count: 50_000), fBytes: bytes, rBytes: [bytes, []])
        #expect(try roundTrip(message) == message)
    }

    @Test func decodesFromSlicesAndNonContiguousCollections() throws {
        let message = AllTypes(fInt32: 7, fString: "fatia", rNested: [Nested(value: 1)])
        let encoded = try message.serializedBytes()
        let padded = [0xFF] + encoded + [0xFF]
        #expect(try AllTypes(serializedBytes: padded[1..<(padded.count - 1)]) == message)
        #expect(try AllTypes(serializedBytes: encoded.lazy.map { $0 }) == message)
    }

    @Test func otherMessageTypes() throws {
        let request = Bigrpc_Testing_V1_SimpleRequest(
            responseSize: 314_159, payload: [0, 1, 2], responseStatus: Bigrpc_Testing_V1_EchoStatus(code: 2, message: "erro")
        )
        #expect(try roundTrip(request) == request)
        let streaming = Bigrpc_Testing_V1_StreamingOutputCallRequest(
            responseParameters: [.init(size: 1, intervalUs: 2), .init()], payload: [9]
        )
        #expect(try roundTrip(streaming) == streaming)
        #expect(try roundTrip(Bigrpc_Testing_V1_Empty()) == Bigrpc_Testing_V1_Empty())
    }
}
