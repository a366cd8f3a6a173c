import BigRPCCodec
import BigRPCTestingProtos
import Testing

/// What must hold for any input: decoding as each test message type throws a
/// `ProtoDecodingError` or gives a value that survives encode and decode.
enum DecodeOracle {
    /// Checks `input` as every message type; returns how many types decoded it.
    @discardableResult
    static func check(_ input: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) -> Int {
        var decoded = 0
        decoded += check(AllTypes.self, input, sourceLocation) { $0 == $1 || $0.containsNaN }
        decoded += check(Nested.self, input, sourceLocation)
        decoded += check(Bigrpc_Testing_V1_SimpleRequest.self, input, sourceLocation)
        decoded += check(Bigrpc_Testing_V1_StreamingOutputCallRequest.self, input, sourceLocation)
        decoded += check(Bigrpc_Testing_V1_EchoStatus.self, input, sourceLocation)
        decoded += check(Bigrpc_Testing_V1_Empty.self, input, sourceLocation)
        return decoded
    }

    private static func check<M: ProtoMessage>(
        _ type: M.Type,
        _ input: [UInt8],
        _ sourceLocation: SourceLocation,
        equivalent: (M, M) -> Bool = { $0 == $1 }
    ) -> Int {
        guard let decoded = try? M(serializedBytes: input) else { return 0 }
        do {
            let encoded = try decoded.serializedBytes()
            let again = try M(serializedBytes: encoded)
            #expect(equivalent(decoded, again), "\(M.self) changed in a round trip of \(input)", sourceLocation: sourceLocation)
            #expect(try again.serializedBytes() == encoded, "\(M.self) encoding unstable for \(input)", sourceLocation: sourceLocation)
        } catch {
            Issue.record("\(M.self) decoded \(input) but failed a round trip: \(error)", sourceLocation: sourceLocation)
        }
        return 1
    }
}

extension AllTypes {
    /// Whether a float or double here or in the `child` chain is NaN, which no
    /// value equals (the oracle then compares only the encodings).
    var containsNaN: Bool {
        fFloat.isNaN || fDouble.isNaN
            || rFloat.contains(where: \.isNaN) || rDouble.contains(where: \.isNaN)
            || child?.containsNaN == true
    }
}
