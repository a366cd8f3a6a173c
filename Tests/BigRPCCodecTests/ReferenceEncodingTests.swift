import BigRPCCodec
import BigRPCTestingProtos
import Testing

/// Our encoder against protoc's, on the committed text fixtures.
@Suite struct ReferenceEncodingTests {
    @Test(arguments: ReferenceFixture.all.filter(\.byteExact))
    func encodesLikeProtoc(_ fixture: ReferenceFixture) throws {
        let reference = try Fixtures.bytes("\(fixture.name).bin")
        #expect(try fixture.message.serializedBytes() == reference)
    }

    @Test(arguments: ReferenceFixture.all)
    func decodesProtocEncoding(_ fixture: ReferenceFixture) throws {
        let reference = try Fixtures.bytes("\(fixture.name).bin")
        #expect(try AllTypes(serializedBytes: reference) == fixture.message)
    }

    @Test func everyTextFixtureHasASwiftValue() throws {
        let texts = try Fixtures.names(endingWith: ".txtpb").map { String($0.dropLast(".txtpb".count)) }
        let binaries = try Fixtures.names(endingWith: ".bin").map { String($0.dropLast(".bin".count)) }
        #expect(texts == binaries, "run scripts/make-codec-fixtures")
        #expect(Set(texts) == Set(ReferenceFixture.all.map(\.name)))
    }

    @Test func unknownEnumNumberSurvives() throws {
        let decoded = try AllTypes(serializedBytes: Fixtures.bytes("negatives.bin"))
        #expect(decoded.fEnum == .unrecognized(99))
        #expect(decoded.fEnum.rawValue == 99)
    }

    @Test func emptyOneofStringKeepsPresence() throws {
        let decoded = try AllTypes(serializedBytes: Fixtures.bytes("oneof-string-empty.bin"))
        #expect(decoded.choice == .cString(""))
    }
}
