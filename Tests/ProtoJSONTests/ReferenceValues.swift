import BigRPCTestingProtos

/// The generated-type values that the JSON fixtures describe.
enum ReferenceValues {
    typealias AllTypes = Bigrpc_Testing_V1_AllTypes
    typealias Nested = Bigrpc_Testing_V1_AllTypes.Nested

    /// Every field set to a value other than its default, edge values included
    /// (a 64-bit integer beyond a double's precision, the extremes, an enum
    /// number the schema does not declare, escapes and non-ASCII text).
    static let everyField = AllTypes(
        fInt32: -42,
        fInt64: -9_007_199_254_740_993,
        fUint32: 4_000_000_000,
        fUint64: .max,
        fSint32: -7,
        fSint64: -8_000_000_000,
        fFixed32: 7,
        fFixed64: 9_000_000_000,
        fSfixed32: -9,
        fSfixed64: -10_000_000_000,
        fFloat: 1.5,
        fDouble: -2.25e-10,
        fBool: true,
        fString: "olá \"mundo\"\n\u{1F6D2}",
        fBytes: [0x00, 0x01, 0x02, 0xFB, 0xFF],
        fEnum: .green,
        fNested: Nested(value: 1, label: "nested"),
        rInt32: [1, -2, 0],
        rInt64: [.min, 0, .max],
        rUint32: [0, .max],
        rUint64: [.max],
        rSint32: [-1, 1],
        rSint64: [-2, 2],
        rFixed32: [3],
        rFixed64: [4],
        rSfixed32: [-5],
        rSfixed64: [-6],
        rFloat: [0.25, -1],
        rDouble: [1e100, 0],
        rBool: [true, false, true],
        rString: ["a", "", "ç"],
        rBytes: [[], [0xFF, 0xEE]],
        rEnum: [.red, .blue, .unrecognized(7)],
        rNested: [Nested(value: 2), Nested(label: "x")],
        mStringString: ["b": "2", "a": "1"],
        mInt32Int64: [-1: 10, 3: -30],
        mStringNested: ["k": Nested(value: 5, label: "v")],
        mUint64Enum: [.max: .red, 0: .unspecified],
        mBoolBytes: [true: [0x01], false: []],
        child: AllTypes(fInt32: 1, fString: "child"),
        default: "keyword",
        self_p: 3,
        choice: .cNested(Nested(value: 9, label: "chosen"))
    )

    /// Floating-point values JSON numbers cannot write.
    static let specialFloats = AllTypes(
        fFloat: .infinity,
        fDouble: -.infinity,
        rFloat: [-.infinity],
        rDouble: [.infinity, -.infinity]
    )
}
