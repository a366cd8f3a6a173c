import BigRPCCodec
import BigRPCTestingProtos
import ProtoJSON
import Testing

/// What JSON the mapping refuses, and how it says so.
@Suite struct ErrorTests {
    let descriptor = Bigrpc_Testing_V1_AllTypes.protoDescriptor

    private func error(_ json: String) -> ProtoJSONError? {
        #expect(throws: ProtoJSONError.self) { try ProtoJSONDecoder().decode(json, as: descriptor) }
    }

    @Test func anUnknownFieldIsNamedWithItsMessage() {
        let error = error(#"{"fInt32": 1, "colour": "red"}"#)
        #expect(error?.reason == .unknownField("colour", message: "bigrpc.testing.v1.AllTypes"))
        #expect(error?.path == "$")
        #expect(error?.description == #"unknown field "colour" in bigrpc.testing.v1.AllTypes"#)
    }

    @Test func anUnknownFieldInANestedMessageSaysWhere() {
        let error = error(#"{"rNested": [{}, {"value": 1, "lable": "x"}]}"#)
        #expect(error?.reason == .unknownField("lable", message: "bigrpc.testing.v1.AllTypes.Nested"))
        #expect(error?.description == #"$.rNested[1]: unknown field "lable" in bigrpc.testing.v1.AllTypes.Nested"#)
    }

    @Test func fieldNamesAreCaseSensitive() {
        #expect(error(#"{"FInt32": 1}"#)?.reason == .unknownField("FInt32", message: "bigrpc.testing.v1.AllTypes"))
    }

    @Test func theSameFieldByBothNamesIsRefused() {
        #expect(error(#"{"fInt32": 1, "f_int32": 2}"#)?.reason == .duplicateField("fInt32", message: "bigrpc.testing.v1.AllTypes"))
    }

    @Test func twoMembersOfOneOneofAreRefused() {
        #expect(error(#"{"cString": "a", "c_int64": 1}"#)?.reason == .oneofConflict("cString", "c_int64", message: "bigrpc.testing.v1.AllTypes"))
    }

    @Test(arguments: [
        (#"{"fInt32": 2147483648}"#, "$.fInt32"),
        (#"{"fUint32": -1}"#, "$.fUint32"),
        (#"{"fInt64": "9223372036854775808"}"#, "$.fInt64"),
        (#"{"fInt32": 1.5}"#, "$.fInt32"),
        (#"{"fInt32": "0x10"}"#, "$.fInt32"),
        (#"{"fInt32": true}"#, "$.fInt32"),
        (#"{"fFloat": 1e39}"#, "$.fFloat"),
        (#"{"fDouble": "infinity"}"#, "$.fDouble"),
        (#"{"fBool": "true"}"#, "$.fBool"),
        (#"{"fString": 5}"#, "$.fString"),
        (#"{"fBytes": "not base64!"}"#, "$.fBytes"),
        (#"{"fEnum": "COLOR_PURPLE"}"#, "$.fEnum"),
        (#"{"fNested": []}"#, "$.fNested"),
        (#"{"rInt32": 1}"#, "$.rInt32"),
        (#"{"rInt32": [1, null]}"#, "$.rInt32[1]"),
        (#"{"mStringString": []}"#, "$.mStringString"),
        (#"{"mInt32Int64": {"x": "1"}}"#, #"$.mInt32Int64["x"]"#),
        (#"{"mBoolBytes": {"yes": ""}}"#, #"$.mBoolBytes["yes"]"#),
        (#"{"mStringString": {"a": "1", "a": "2"}}"#, #"$.mStringString["a"]"#),
    ])
    func anInvalidValueSaysWhere(json: String, path: String) {
        let error = error(json)
        guard case .invalidValue? = error?.reason else {
            Issue.record("expected invalidValue, got \(String(describing: error))")
            return
        }
        #expect(error?.path == path)
    }

    @Test(arguments: [#"{"fInt32": }"#, #"{"fInt32": 1"#, #"{'fInt32': 1}"#, #"{"fString": "\x"}"#, "[1,]", #"{"a": 01}"#, ""])
    func malformedJSONIsASyntaxError(json: String) {
        guard case .syntax? = error(json)?.reason else {
            Issue.record("expected a syntax error")
            return
        }
    }

    @Test func aSyntaxErrorGivesLineAndColumn() {
        guard case .syntax(let message)? = error("{\n  \"fInt32\": 1,\n  }")?.reason else {
            Issue.record("expected a syntax error")
            return
        }
        #expect(message.hasSuffix("at line 3, column 3"))
    }

    @Test func anObjectWhereAMessageIsExpected() {
        guard case .invalidValue? = error("[]")?.reason else {
            Issue.record("expected invalidValue")
            return
        }
        guard case .syntax? = error("{} {}")?.reason else {
            Issue.record("two documents where one is expected")
            return
        }
    }

    @Test func deepNestingIsRefused() {
        let deep = String(repeating: #"{"child": "#, count: 200) + "{}" + String(repeating: "}", count: 200)
        #expect(error(deep)?.reason == .nestingTooDeep(limit: 100))
    }

    @Test func aStringHoldingNULCannotBeEncoded() throws {
        let message = try ProtoJSONDecoder().decode(#"{"fString": "a\u0000b"}"#, as: descriptor)
        #expect(throws: ProtoEncodingError.self) { try message.serializedBytes() }
    }
}
