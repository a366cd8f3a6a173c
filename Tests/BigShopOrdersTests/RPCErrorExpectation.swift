import BigRPC
import Testing

/// The RPCError `body` throws, recording an issue if it throws none or
/// another error.
func rpcError(
    _ body: () async throws -> Void,
    sourceLocation: SourceLocation = #_sourceLocation
) async -> RPCError? {
    do {
        try await body()
        Issue.record("expected an RPCError, the call succeeded", sourceLocation: sourceLocation)
        return nil
    } catch let error as RPCError {
        return error
    } catch {
        Issue.record("expected an RPCError, got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}

/// Expects `body` to fail with `code` (and the `reason` trailer, if given).
func expectRPCError(
    _ code: StatusCode,
    reason: String? = nil,
    sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () async throws -> Void
) async {
    guard let error = await rpcError(body, sourceLocation: sourceLocation) else { return }
    #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
    if let reason {
        #expect(error.metadata[Metadata.reasonKey] == reason, "\(error.metadata)", sourceLocation: sourceLocation)
    }
}
