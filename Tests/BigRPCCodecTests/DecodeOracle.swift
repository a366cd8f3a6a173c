import BigRPCFuzzOracles
import Testing

/// The fuzz harness's ``MessageDecodingOracle`` as test expectations: each
/// violation is an issue recorded at the caller.
enum DecodeOracle {
    /// Checks `input` as every test message type; returns how many types decoded it.
    @discardableResult
    static func check(_ input: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) -> Int {
        let result = MessageDecodingOracle.check(input)
        for violation in result.violations {
            Issue.record("\(violation), input \(input)", sourceLocation: sourceLocation)
        }
        return result.decoded
    }
}
