public import BigRPC
public import Testing

/// The RPCError `body` throws, recording an issue if it throws none or
/// another error.
public func rpcError(
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
public func expectRPCError(
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

/// Polls `condition` every few milliseconds until it holds or `timeout`
/// passes (generous: the suites run in parallel on a loaded machine); an
/// error counts as "not yet". Returns whether it held.
@discardableResult
public func eventually(
    timeout: Duration = .seconds(30),
    _ condition: () async throws -> Bool
) async -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if (try? await condition()) == true { return true }
        try? await Task.sleep(for: .milliseconds(5))
    }
    return (try? await condition()) == true
}
