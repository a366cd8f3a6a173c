import BigRPCFuzzOracles

/// Decodes the input as several message types: ``MessageDecodingOracle``,
/// a violation being a crash libFuzzer records.
enum MessageDecoding {
    static func run(_ data: UnsafeRawBufferPointer) {
        let violations = MessageDecodingOracle.check(Array(data)).violations
        precondition(violations.isEmpty, violations.joined(separator: "; "))
    }
}
