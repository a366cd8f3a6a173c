import BigRPCInterop
import Testing

@Suite("Every conformance case against TestServiceProvider, in process", .timeLimit(.minutes(1)))
struct InProcessInteropTests {
    @Test("The case passes", arguments: InteropCase.allCases)
    func casePasses(_ testCase: InteropCase) async throws {
        try await InteropClient(client: InProcess.client()).run(testCase)
    }

    @Test("runAll reports every case, in order, all passed")
    func runAllReportsEveryCase() async {
        let results = await InteropClient.runAll(on: InProcess.client())
        #expect(results.map(\.testCase) == InteropCase.allCases)
        for result in results {
            #expect(result.passed, "\(result.name): \(result.failureMessage ?? "")")
            #expect(result.failureMessage == nil)
            #expect(result.duration >= .zero)
        }
    }

    @Test("runAll runs only the cases asked for")
    func runAllRunsTheCasesAskedFor() async {
        let results = await InteropClient.runAll([.pingPong, .emptyUnary], on: InProcess.client())
        #expect(results.map(\.name) == ["ping_pong", "empty_unary"])
    }

    @Test("The case names are the spec's")
    func caseNamesAreTheSpecs() {
        #expect(
            InteropCase.allCases.map(\.rawValue) == [
                "empty_unary", "large_unary", "client_streaming", "server_streaming", "ping_pong",
                "empty_stream", "status_code_and_message", "special_status_message", "custom_metadata",
                "unimplemented_method", "unimplemented_service", "cancel_after_begin",
                "cancel_after_first_response", "timeout_on_sleeping_server", "concurrent_streams",
            ])
        #expect(InteropCase(rawValue: "ping_pong") == .pingPong)
        #expect(InteropCase.allCases.allSatisfy { !$0.summary.isEmpty && $0.description == $0.rawValue })
    }
}
