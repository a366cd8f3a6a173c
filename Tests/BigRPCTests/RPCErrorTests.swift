import BigRPC
import Testing

/// `RPCError` carries the status and trailing metadata a failed call ends
/// with; it can never carry OK.
@Suite struct RPCErrorTests {
    @Test func keepsCodeMessageAndMetadata() {
        let error = RPCError(.resourceExhausted, "slow down", metadata: ["Retry-After-Ms": "250"])
        #expect(error.code == .resourceExhausted)
        #expect(error.message == "slow down")
        #expect(error.metadata.dictionary == ["retry-after-ms": "250"])
        #expect(error.metadata[Metadata.retryAfterKey] == "250")
    }

    @Test func defaultsToNoMessageAndNoMetadata() {
        let error = RPCError(.unavailable)
        #expect(error.message == "")
        #expect(error.metadata.isEmpty)
    }

    @Test func statusIsCodeAndMessage() {
        let error = RPCError(.permissionDenied, "admins only", metadata: ["reason": "ROLE"])
        #expect(error.status == Status(code: .permissionDenied, message: "admins only"))
    }

    @Test func descriptionIsTheNameAndTheMessageIfAny() {
        #expect(RPCError(.notFound, "no such order").description == "NOT_FOUND: no such order")
        #expect(RPCError(.notFound).description == "NOT_FOUND")
    }

    @Test func refusedIsFailedPreconditionWithAReason() {
        let error = RPCError.refused("SOLD_OUT", "no units left")
        #expect(error.code == .failedPrecondition)
        #expect(error.message == "no units left")
        #expect(error.metadata.dictionary == [Metadata.reasonKey: "SOLD_OUT"])
    }

    @Test func refusedTakesAnotherCode() {
        let error = RPCError.refused("LIMIT", "one per customer", code: .resourceExhausted)
        #expect(error.code == .resourceExhausted)
        #expect(error.metadata[Metadata.reasonKey] == "LIMIT")
    }

    @Test func equalityComparesEveryField() {
        #expect(RPCError(.aborted, "x", metadata: ["k": "v"]) == RPCError(.aborted, "x", metadata: ["K": "v"]))
        #expect(RPCError(.aborted, "x", metadata: ["k": "v"]) != RPCError(.aborted, "x", metadata: ["k": "w"]))
        #expect(RPCError(.aborted, "x") != RPCError(.aborted, "y"))
        #expect(RPCError(.aborted, "x") != RPCError(.unknown, "x"))
    }

    @Test func cannotCarryOK() async {
        await #expect(processExitsWith: .failure) {
            _ = RPCError(.ok, "fine")
        }
    }
}
