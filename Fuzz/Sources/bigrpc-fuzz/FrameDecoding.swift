import BigRPCFuzzOracles

/// Wire frames through the parser and the server's connection state machine:
/// ``FrameDecodingOracle``, a violation being a crash libFuzzer records.
enum FrameDecoding {
    static func run(_ data: UnsafeRawBufferPointer) {
        let violations = FrameDecodingOracle.check(Array(data))
        precondition(violations.isEmpty, violations.joined(separator: "; "))
    }
}
