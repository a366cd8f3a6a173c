import BigRPC
import Testing

/// `StatusCode` is gRPC's canonical table: numbers 0–16 as on the wire,
/// upper-case names for logs and tools, unknown numbers kept as they are.
@Suite struct StatusCodeTests {
    /// gRPC's canonical codes, as `wire-v1.md` lists them.
    static let canonical: [(code: StatusCode, number: Int32, name: String)] = [
        (.ok, 0, "OK"),
        (.cancelled, 1, "CANCELLED"),
        (.unknown, 2, "UNKNOWN"),
        (.invalidArgument, 3, "INVALID_ARGUMENT"),
        (.deadlineExceeded, 4, "DEADLINE_EXCEEDED"),
        (.notFound, 5, "NOT_FOUND"),
        (.alreadyExists, 6, "ALREADY_EXISTS"),
        (.permissionDenied, 7, "PERMISSION_DENIED"),
        (.resourceExhausted, 8, "RESOURCE_EXHAUSTED"),
        (.failedPrecondition, 9, "FAILED_PRECONDITION"),
        (.aborted, 10, "ABORTED"),
        (.outOfRange, 11, "OUT_OF_RANGE"),
        (.unimplemented, 12, "UNIMPLEMENTED"),
        (.internal, 13, "INTERNAL"),
        (.unavailable, 14, "UNAVAILABLE"),
        (.dataLoss, 15, "DATA_LOSS"),
        (.unauthenticated, 16, "UNAUTHENTICATED"),
    ]

    @Test func rawValuesMatchGRPC() {
        for (code, number, name) in Self.canonical {
            #expect(code.rawValue == number, "\(name)")
            #expect(StatusCode(rawValue: number) == code, "\(name)")
        }
    }

    @Test func namesMatchGRPC() {
        for (code, number, name) in Self.canonical {
            #expect(code.name == name, "code \(number)")
            #expect(code.description == "\(name) (\(number))")
        }
    }

    @Test func everyNameParsesBackToItsCode() {
        for (code, _, name) in Self.canonical {
            #expect(StatusCode(name: name) == code)
        }
    }

    @Test func namesParseWhateverTheirCase() {
        #expect(StatusCode(name: "deadline_exceeded") == .deadlineExceeded)
        #expect(StatusCode(name: "Not_Found") == .notFound)
        #expect(StatusCode(name: "ok") == .ok)
    }

    @Test func unknownNamesDoNotParse() {
        #expect(StatusCode(name: "") == nil)
        #expect(StatusCode(name: "NOT FOUND") == nil)
        #expect(StatusCode(name: "NOTFOUND") == nil)
        #expect(StatusCode(name: "4") == nil)
    }

    @Test func unknownNumbersAreKeptAndNamedByNumber() {
        let future = StatusCode(rawValue: 17)
        #expect(future.rawValue == 17)
        #expect(future.name == "CODE_17")
        #expect(future.description == "CODE_17 (17)")
        #expect(!Self.canonical.contains { $0.code == future })
        #expect(StatusCode(rawValue: -1).name == "CODE_-1")
        #expect(StatusCode(rawValue: .max).name == "CODE_\(Int32.max)")
    }
}
