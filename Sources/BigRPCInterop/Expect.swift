import BigRPC

/// The checks the conformance cases make. Each throws an ``InteropFailure``
/// saying which call misbehaved and how.
enum Expect {
    /// Runs `call`, which must succeed, and returns its result; any error
    /// becomes a failure naming `step`.
    static func success<T>(
        _ step: String,
        _ call: () async throws -> T
    ) async throws(InteropFailure) -> T {
        do {
            return try await call()
        } catch {
            throw InteropFailure("\(step) failed: \(error)")
        }
    }

    /// Runs `call`, which must fail with an ``RPCError`` of `code` (and
    /// exactly `message`, when given), and returns that error.
    @discardableResult
    static func failure<T>(
        _ step: String,
        code: StatusCode,
        message: String? = nil,
        _ call: () async throws -> T
    ) async throws(InteropFailure) -> RPCError {
        let expected = message.map { "\(code) with message \($0.debugDescription)" } ?? "\(code)"
        do {
            _ = try await call()
        } catch let error as RPCError {
            guard error.code == code, message == nil || error.message == message else {
                throw InteropFailure(
                    "\(step) ended with \(error.code) with message \(error.message.debugDescription); expected \(expected)"
                )
            }
            return error
        } catch {
            throw InteropFailure("\(step) threw \(error); expected \(expected)")
        }
        throw InteropFailure("\(step) succeeded; expected \(expected)")
    }

    /// Checks that `actual` is `expected`.
    static func equal<T: Equatable>(_ actual: T, _ expected: T, _ what: String) throws(InteropFailure) {
        guard actual == expected else {
            throw InteropFailure("\(what) is \(actual); expected \(expected)")
        }
    }

    /// Checks that `payload` is `size` zero bytes.
    static func zeroPayload(_ payload: [UInt8], size: Int, _ what: String) throws(InteropFailure) {
        guard payload.count == size else {
            throw InteropFailure("\(what) has a payload of \(payload.count) bytes; expected \(size)")
        }
        guard payload.allSatisfy({ $0 == 0 }) else {
            throw InteropFailure("\(what) has a payload of \(size) bytes that are not all zero")
        }
    }

    /// Checks that the responses of `step` have payloads of `sizes` zero
    /// bytes: as many responses as sizes, in that order.
    static func zeroPayloads(_ payloads: [[UInt8]], sizes: [Int], _ step: String) throws(InteropFailure) {
        guard payloads.count == sizes.count else {
            throw InteropFailure(
                "\(step) returned \(payloads.count) responses of \(payloads.map(\.count)) bytes; expected \(sizes.count) of \(sizes)"
            )
        }
        for (index, (payload, size)) in zip(payloads, sizes).enumerated() {
            try zeroPayload(payload, size: size, "response \(index + 1) of \(step)")
        }
    }

    /// Checks that the trailers of `step` hold every pair of `expected`.
    static func trailers(_ trailers: Metadata?, contain expected: Metadata, _ step: String) throws(InteropFailure) {
        guard let trailers else {
            throw InteropFailure("\(step) ended without trailers")
        }
        for (key, value) in expected.sorted(by: { $0.key < $1.key }) where trailers[key] != value {
            let actual = trailers[key].map(\.debugDescription) ?? "absent"
            throw InteropFailure(
                "the trailers of \(step) have \(key) \(actual); expected \(value.debugDescription) (trailers: \(trailers))"
            )
        }
    }
}
