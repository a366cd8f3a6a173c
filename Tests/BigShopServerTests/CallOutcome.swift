import BigRPC

/// The status code a call failed with, or nil if it succeeded.
func code<T>(_ call: @autoclosure () async throws -> T) async -> StatusCode? {
    do {
        _ = try await call()
        return nil
    } catch let error as RPCError {
        return error.code
    } catch {
        return .unknown
    }
}

/// The RPCError a call failed with.
func rpcError<T>(_ call: @autoclosure () async throws -> T) async -> RPCError? {
    do {
        _ = try await call()
        return nil
    } catch {
        return error as? RPCError
    }
}
