import BigRPC
import BigRPCTestingProtos

extension InteropClient {
    /// The number of calls `concurrent_streams` keeps in flight at once.
    static let concurrentCallCount = 100

    /// `empty_unary`: EmptyCall with the empty message succeeds.
    func emptyUnary() async throws(InteropFailure) {
        try await Expect.success("EmptyCall") {
            _ = try await service.emptyCall(Bigrpc_Testing_V1_Empty())
        }
    }

    /// `large_unary`: UnaryCall with a 271828-byte payload returns 314159
    /// zero bytes.
    func largeUnary() async throws(InteropFailure) {
        let request = Bigrpc_Testing_V1_SimpleRequest(
            responseSize: Int32(Self.largeResponseSize),
            payload: .zeros(Self.largeRequestSize)
        )
        let response = try await Expect.success("UnaryCall") {
            try await service.unaryCall(request)
        }
        try Expect.zeroPayload(response.payload, size: Self.largeResponseSize, "the UnaryCall response")
    }

    /// `concurrent_streams`: ``concurrentCallCount`` UnaryCalls started at
    /// once on the one client all succeed. Each asks for its own response
    /// size, so a response delivered to the wrong call is caught.
    func concurrentStreams() async throws(InteropFailure) {
        let service = self.service
        let failures = await withTaskGroup(of: (index: Int, failure: InteropFailure)?.self) { group in
            for index in 0..<Self.concurrentCallCount {
                group.addTask {
                    let responseSize = Self.responseSizes[0] + index
                    let request = Bigrpc_Testing_V1_SimpleRequest(
                        responseSize: Int32(responseSize),
                        payload: .zeros(Self.requestSizes[0])
                    )
                    let step = "UnaryCall \(index + 1) of \(Self.concurrentCallCount)"
                    do throws(InteropFailure) {
                        let response = try await Expect.success(step) { try await service.unaryCall(request) }
                        try Expect.zeroPayload(response.payload, size: responseSize, "the response to \(step)")
                        return nil
                    } catch {
                        return (index, error)
                    }
                }
            }
            var failures: [(index: Int, failure: InteropFailure)] = []
            for await failure in group {
                if let failure { failures.append(failure) }
            }
            return failures
        }
        guard let first = failures.min(by: { $0.index < $1.index }) else { return }
        throw InteropFailure(
            "\(failures.count) of \(Self.concurrentCallCount) concurrent calls failed; the first: \(first.failure)"
        )
    }
}
