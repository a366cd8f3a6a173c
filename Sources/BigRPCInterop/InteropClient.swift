public import BigRPC
import BigRPCTestingProtos
public import Logging

/// Runs the conformance cases of `interop-v1.md` against a server of
/// `bigrpc.testing.v1.TestService`, over whatever transport the
/// ``RPCClient`` uses (in-process, TCP).
///
/// ```swift
/// let results = await InteropClient.runAll(on: RPCClient(transport: transport))
/// let failed = results.filter { !$0.passed }
/// ```
public struct InteropClient: Sendable {
    /// How long one case may take before it is cancelled and reported as a
    /// failure, unless the caller chooses another limit.
    public static let defaultTimeLimit: Duration = .seconds(30)

    let service: Bigrpc_Testing_V1_TestService.Client

    /// A runner of cases whose calls go through `client`.
    public init(client: RPCClient) {
        self.service = Bigrpc_Testing_V1_TestService.Client(wrapping: client)
    }

    /// Runs one case, throwing an ``InteropFailure`` that says what differed
    /// when the server does not behave as the contract requires.
    ///
    /// A case still running after `timeLimit` is cancelled and fails. The
    /// limit takes effect once the case's calls honour the cancellation,
    /// which every call of a conforming transport does.
    public func run(
        _ testCase: InteropCase,
        timeLimit: Duration = InteropClient.defaultTimeLimit
    ) async throws(InteropFailure) {
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    try await self.runWithoutTimeLimit(testCase)
                }
                group.addTask {
                    try await Task.sleep(for: timeLimit)
                    throw InteropFailure("the case did not finish within \(timeLimit)")
                }
                // The first child to finish decides; the other is cancelled.
                defer { group.cancelAll() }
                _ = try await group.next()
            }
        } catch let failure as InteropFailure {
            throw failure
        } catch {
            throw InteropFailure("the case was interrupted: \(error)")
        }
    }

    /// Runs `cases` one after another on `client` and reports each outcome;
    /// the order of the results is the order of `cases`.
    ///
    /// - Parameters:
    ///   - cases: the cases to run; all of them by default.
    ///   - client: the client whose transport reaches the server.
    ///   - timeLimit: how long each case may take (see ``run(_:timeLimit:)``).
    ///   - logger: receives a debug entry as each case starts and ends.
    public static func runAll(
        _ cases: [InteropCase] = InteropCase.allCases,
        on client: RPCClient,
        timeLimit: Duration = InteropClient.defaultTimeLimit,
        logger: Logger = Logger(label: "bigrpc.interop")
    ) async -> [InteropCaseResult] {
        let interop = InteropClient(client: client)
        let clock = ContinuousClock()
        var results: [InteropCaseResult] = []
        results.reserveCapacity(cases.count)
        for testCase in cases {
            logger.debug("case started", metadata: ["case": "\(testCase)"])
            let start = clock.now
            var failure: InteropFailure?
            do {
                try await interop.run(testCase, timeLimit: timeLimit)
            } catch {
                failure = error
            }
            let result = InteropCaseResult(testCase: testCase, duration: start.duration(to: clock.now), failure: failure)
            logger.debug(
                "case ended",
                metadata: [
                    "case": "\(testCase)",
                    "passed": "\(result.passed)",
                    "duration": "\(result.duration)",
                    "failure": "\(result.failureMessage ?? "")",
                ])
            results.append(result)
        }
        return results
    }

    private func runWithoutTimeLimit(_ testCase: InteropCase) async throws(InteropFailure) {
        switch testCase {
        case .emptyUnary: try await emptyUnary()
        case .largeUnary: try await largeUnary()
        case .clientStreaming: try await clientStreaming()
        case .serverStreaming: try await serverStreaming()
        case .pingPong: try await pingPong()
        case .emptyStream: try await emptyStream()
        case .statusCodeAndMessage: try await statusCodeAndMessage()
        case .specialStatusMessage: try await specialStatusMessage()
        case .customMetadata: try await customMetadata()
        case .unimplementedMethod: try await unimplementedMethod()
        case .unimplementedService: try await unimplementedService()
        case .cancelAfterBegin: try await cancelAfterBegin()
        case .cancelAfterFirstResponse: try await cancelAfterFirstResponse()
        case .timeoutOnSleepingServer: try await timeoutOnSleepingServer()
        case .concurrentStreams: try await concurrentStreams()
        }
    }

    // MARK: The payload sizes of gRPC's interop cases

    /// The request payload of `large_unary` and `custom_metadata`.
    static let largeRequestSize = 271_828
    /// The response payload of `large_unary` and `custom_metadata`.
    static let largeResponseSize = 314_159
    /// The request payloads of `client_streaming` and `ping_pong`.
    static let requestSizes = [27_182, 8, 1_828, 45_904]
    /// The sum of ``requestSizes``: `client_streaming`'s aggregated size.
    static let aggregatedRequestSize: Int32 = 74_922
    /// The response payloads of `server_streaming` and `ping_pong`.
    static let responseSizes = [31_415, 9, 2_653, 58_979]
}
