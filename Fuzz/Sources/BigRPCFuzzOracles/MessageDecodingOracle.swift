import BigRPCCodec
import BigRPCTestingProtos

/// What must hold for any bytes decoded as a message: decoding as each test
/// message type throws, or gives a value that encodes, decodes again to an
/// equal value, and encodes to the same bytes a second time.
///
/// The one oracle behind the libFuzzer harness (`bigrpc-fuzz`, byte 0) and
/// the replay of its findings in the codec tests.
public enum MessageDecodingOracle {
    /// Checks `input` as every test message type: how many types decoded it,
    /// and each way a decoded value failed its round trip.
    public static func check(_ input: [UInt8]) -> (decoded: Int, violations: [String]) {
        var result = (decoded: 0, violations: [String]())
        roundTrip(Bigrpc_Testing_V1_AllTypes.self, input, &result) { $0 == $1 || $0.containsNaN }
        roundTrip(Bigrpc_Testing_V1_AllTypes.Nested.self, input, &result)
        roundTrip(Bigrpc_Testing_V1_SimpleRequest.self, input, &result)
        roundTrip(Bigrpc_Testing_V1_StreamingOutputCallRequest.self, input, &result)
        roundTrip(Bigrpc_Testing_V1_EchoStatus.self, input, &result)
        roundTrip(Bigrpc_Testing_V1_Empty.self, input, &result)
        return result
    }

    /// `equivalent` compares the first decode with the second; it defaults to
    /// `==` and is loosened for messages that can hold NaN, which is not equal
    /// to itself (the byte comparison still covers them).
    private static func roundTrip<M: ProtoMessage>(
        _ type: M.Type,
        _ input: [UInt8],
        _ result: inout (decoded: Int, violations: [String]),
        equivalent: (M, M) -> Bool = { $0 == $1 }
    ) {
        guard let decoded = try? M(serializedBytes: input) else { return }
        result.decoded += 1
        do {
            let encoded = try decoded.serializedBytes()
            let again = try M(serializedBytes: encoded)
            if !equivalent(decoded, again) { result.violations.append("\(M.self): value changed in a round trip") }
            if try again.serializedBytes() != encoded { result.violations.append("\(M.self): encoding is not stable") }
        } catch {
            result.violations.append("\(M.self): decoded, but failed a round trip: \(error)")
        }
    }
}

extension Bigrpc_Testing_V1_AllTypes {
    /// Whether a float or double here or in the `child` chain is NaN.
    var containsNaN: Bool {
        fFloat.isNaN || fDouble.isNaN
            || rFloat.contains(where: \.isNaN) || rDouble.contains(where: \.isNaN)
            || child?.containsNaN == true
    }
}
