import BigRPCCodec
import BigRPCTestingProtos
import Foundation
import ProtoJSON
import Testing

/// JSON ↔ binary for every field type, against the committed fixtures and
/// the generated types' own encoding.
@Suite struct RoundTripTests {
    typealias AllTypes = Bigrpc_Testing_V1_AllTypes
    let descriptor = AllTypes.protoDescriptor

    @Test func everyFieldTypeFromJSONEncodesLikeTheGeneratedType() throws {
        let json = try FixtureFiles.text("all_types.json")
        let message = try ProtoJSONDecoder().decode(json, as: descriptor)
        let bytes = try message.serializedBytes()
        #expect(bytes == (try ReferenceValues.everyField.serializedBytes()))
        #expect(try AllTypes(serializedBytes: bytes) == ReferenceValues.everyField)
    }

    @Test func everyFieldTypeToJSONIsTheFixture() throws {
        let bytes = try ReferenceValues.everyField.serializedBytes()
        let message = try DynamicCodec.decode(bytes, as: descriptor)
        #expect(try ProtoJSONEncoder().encode(message) + "\n" == FixtureFiles.text("all_types.json"))
    }

    @Test func compactOutputIsOneLine() throws {
        let message = try DynamicCodec.decode(ReferenceValues.everyField.serializedBytes(), as: descriptor)
        let compact = try ProtoJSONEncoder(prettyPrinted: false).encode(message)
        #expect(!compact.contains("\n"))
        #expect(try ProtoJSONDecoder().decode(compact, as: descriptor) == message)
    }

    @Test func everyAcceptedAlternativeSpellingReadsTheSameValues() throws {
        let json = try FixtureFiles.text("all_types_alternative_input.json")
        let message = try ProtoJSONDecoder().decode(json, as: descriptor)
        #expect(try message.serializedBytes() == ReferenceValues.everyField.serializedBytes())
    }

    @Test func specialFloatsAreStrings() throws {
        let json = try FixtureFiles.text("special_floats.json")
        let message = try ProtoJSONDecoder().decode(json, as: descriptor)
        #expect(try message.serializedBytes() == ReferenceValues.specialFloats.serializedBytes())
        let back = try DynamicCodec.decode(ReferenceValues.specialFloats.serializedBytes(), as: descriptor)
        #expect(try ProtoJSONEncoder().encode(back) + "\n" == json)
    }

    @Test func notANumberRoundTrips() throws {
        let message = try ProtoJSONDecoder().decode(#"{"fFloat": "NaN", "rDouble": ["NaN"]}"#, as: descriptor)
        let value = try AllTypes(serializedBytes: message.serializedBytes())
        #expect(value.fFloat.isNaN && value.rDouble.count == 1 && value.rDouble[0].isNaN)
        let json = try ProtoJSONEncoder(prettyPrinted: false).encode(DynamicCodec.decode(value.serializedBytes(), as: descriptor))
        #expect(json == #"{"fFloat":"NaN","rDouble":["NaN"]}"#)
    }

    @Test func defaultValuesAreLeftOut() throws {
        let message = try DynamicCodec.decode(AllTypes().serializedBytes(), as: descriptor)
        #expect(try ProtoJSONEncoder().encode(message) == "{}")
        let zeros = #"{"fInt32": 0, "fString": "", "fBool": false, "fEnum": "COLOR_UNSPECIFIED", "rInt32": []}"#
        let decoded = try ProtoJSONDecoder().decode(zeros, as: descriptor)
        #expect(try decoded.serializedBytes() == [])
        #expect(try ProtoJSONEncoder().encode(decoded) == "{}")
    }

    @Test(arguments: [
        (#"{"cString": ""}"#, AllTypes.OneOf_Choice.cString("")),
        (#"{"cInt64": "0"}"#, .cInt64(0)),
        (#"{"cEnum": "COLOR_UNSPECIFIED"}"#, .cEnum(.unspecified)),
        (#"{"cNested": {}}"#, .cNested(AllTypes.Nested())),
        (#"{"cInt64": "-5"}"#, .cInt64(-5)),
    ])
    func aSetOneofMemberIsWrittenEvenAtItsDefault(json: String, choice: AllTypes.OneOf_Choice) throws {
        let expected = AllTypes(choice: choice)
        let message = try ProtoJSONDecoder().decode(json, as: descriptor)
        #expect(try message.serializedBytes() == expected.serializedBytes())
        let back = try DynamicCodec.decode(expected.serializedBytes(), as: descriptor)
        #expect(try ProtoJSONEncoder(prettyPrinted: false).encode(back) == json.replacingOccurrences(of: " ", with: ""))
    }

    @Test func nullMeansUnset() throws {
        let json = #"{"fInt32": null, "fNested": null, "rString": null, "mStringString": null, "cString": null, "cInt64": "3"}"#
        let message = try ProtoJSONDecoder().decode(json, as: descriptor)
        #expect(try message.serializedBytes() == AllTypes(choice: .cInt64(3)).serializedBytes())
    }

    @Test func aSequenceOfObjectsDecodesInOrder() throws {
        let messages = try ProtoJSONDecoder().decodeSequence(#"{"fInt32": 1} {"fInt32": 2}"# + "\n{}\n", as: descriptor)
        let values = try messages.map { try AllTypes(serializedBytes: $0.serializedBytes()).fInt32 }
        #expect(values == [1, 2, 0])
        #expect(try ProtoJSONDecoder().decodeSequence("  \n", as: descriptor).isEmpty)
    }
}
