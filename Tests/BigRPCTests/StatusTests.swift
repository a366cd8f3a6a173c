import BigRPC
import Testing

/// `Status` is a code plus a human-readable message; its description is what
/// logs and tools print.
@Suite struct StatusTests {
    @Test func okHasNoMessage() {
        #expect(Status.ok.code == .ok)
        #expect(Status.ok.message == "")
        #expect(Status(code: .ok) == .ok)
    }

    @Test func descriptionIsTheNameAndTheMessageIfAny() {
        #expect(Status(code: .notFound, message: "no such order").description == "NOT_FOUND: no such order")
        #expect(Status(code: .notFound).description == "NOT_FOUND")
        #expect(Status.ok.description == "OK")
    }

    @Test func equalityComparesCodeAndMessage() {
        #expect(Status(code: .aborted, message: "a") == Status(code: .aborted, message: "a"))
        #expect(Status(code: .aborted, message: "a") != Status(code: .aborted, message: "b"))
        #expect(Status(code: .aborted, message: "a") != Status(code: .unavailable, message: "a"))
    }
}
