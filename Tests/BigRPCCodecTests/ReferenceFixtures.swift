import BigRPCTestingProtos
import Testing

typealias AllTypes = Bigrpc_Testing_V1_AllTypes
typealias Nested = Bigrpc_Testing_V1_AllTypes.Nested
typealias Color = Bigrpc_Testing_V1_Color

/// A text fixture in `Fixtures/` (`<name>.txtpb`, encoded by protoc into
/// `<name>.bin` with scripts/make-codec-fixtures) and the same message built in Swift.
struct ReferenceFixture: Sendable, CustomTestStringConvertible {
    let name: String
    let message: AllTypes
    /// Whether our encoding must equal protoc's byte for byte. False where the
    /// two differ legitimately; such fixtures are only decoded.
    var byteExact = true

    var testDescription: String { name }

    static let all: [ReferenceFixture] = [
        ReferenceFixture(name: "empty", message: AllTypes()),
        ReferenceFixture(
            name: "minima",
            message: AllTypes(
                fInt32: .min, fInt64: .min, fUint32: 1, fUint64: 1,
                fSint32: .min, fSint64: .min, fFixed32: 1, fFixed64: 1,
                fSfixed32: .min, fSfixed64: .min,
                fFloat: -.infinity, fDouble: .leastNonzeroMagnitude,
                fBool: true, fString: "a", fBytes: [0], fEnum: .red,
                self_p: .min
            )),
        ReferenceFixture(
            name: "maxima",
            message: AllTypes(
                fInt32: .max, fInt64: .max, fUint32: .max, fUint64: .max,
                fSint32: .max, fSint64: .max, fFixed32: .max, fFixed64: .max,
                fSfixed32: .max, fSfixed64: .max,
                fFloat: .infinity, fDouble: Double.leastNormalMagnitude.nextDown,
                fBool: true, fString: "Olá, coração! Ação, pão e maçã 🚀👩‍💻",
                fBytes: [0x00, 0x01, 0x7F, 0x80, 0xFF, 0x00], fEnum: .blue,
                fNested: Nested(value: -1, label: "ninho 🐦"),
                default: "padrão", self_p: .max
            )),
        ReferenceFixture(
            name: "negatives",
            message: AllTypes(
                fInt32: -1, fInt64: -1, fSint32: -1, fSint64: -2, fSfixed32: -3, fSfixed64: -4,
                fFloat: -.leastNonzeroMagnitude, fDouble: -0.5, fEnum: .unrecognized(99)
            )),
        ReferenceFixture(
            name: "repeated",
            message: AllTypes(
                rInt32: [0, -1, .max, .min],
                rInt64: [0, -1, .max, .min],
                rUint32: [0, 1, .max],
                rUint64: [0, 1, .max],
                rSint32: [0, -1, 1, .max, .min],
                rSint64: [0, -1, 1, .max, .min],
                rFixed32: [0, .max],
                rFixed64: [0, .max],
                rSfixed32: [.min, 0, .max],
                rSfixed64: [.min, 0, .max],
                rFloat: [-.infinity, 0, .leastNonzeroMagnitude, .greatestFiniteMagnitude, .infinity],
                rDouble: [-.infinity, 0, .leastNonzeroMagnitude, .greatestFiniteMagnitude, .infinity],
                rBool: [true, false, true],
                rString: ["", "ação", "🎉", "x"],
                rBytes: [[], [0], [0, 0, 0xFF]],
                rEnum: [.unspecified, .green, .unrecognized(99), .unrecognized(-1)],
                rNested: [Nested(), Nested(value: 1, label: "um")]
            )),
        ReferenceFixture(
            name: "maps",
            message: AllTypes(
                mStringString: ["chave": "valor ã"],
                mInt32Int64: [-5: .min],
                mStringNested: ["ninho": Nested(value: 7, label: "sete")],
                mUint64Enum: [.max: .green],
                mBoolBytes: [true: [0x00, 0xFF]]
            )),
        // protoc writes the default key and value of a map entry; we omit them.
        ReferenceFixture(
            name: "map-defaults",
            message: AllTypes(
                mStringString: ["": ""],
                mInt32Int64: [0: 0],
                mStringNested: ["": Nested()],
                mUint64Enum: [0: .unspecified],
                mBoolBytes: [false: []]
            ), byteExact: false),
        ReferenceFixture(name: "oneof-string-empty", message: AllTypes(choice: .cString(""))),
        ReferenceFixture(name: "oneof-int64-zero", message: AllTypes(choice: .cInt64(0))),
        ReferenceFixture(name: "oneof-nested-empty", message: AllTypes(choice: .cNested(Nested()))),
        ReferenceFixture(name: "oneof-enum-unspecified", message: AllTypes(choice: .cEnum(.unspecified))),
        ReferenceFixture(name: "oneof-string", message: AllTypes(choice: .cString("escolha"))),
        ReferenceFixture(
            name: "children",
            message: AllTypes(
                fInt32: 1,
                child: AllTypes(
                    fString: "filho",
                    child: AllTypes(
                        child: AllTypes(
                            rInt32: [3],
                            child: AllTypes(fNested: Nested(value: 4))
                        ),
                        choice: .cInt64(-7)
                    )
                )
            )),
    ]
}
