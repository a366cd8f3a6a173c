import BigRPCCodec
import BigRPCTestingProtos

/// Decodes the input as several message types. Decoding must throw or
/// succeed; whatever decodes must encode, decode again to an equal value, and
/// encode to the same bytes a second time.
enum MessageDecoding {
    static func run(_ data: UnsafeRawBufferPointer) {
        roundTrip(Bigrpc_Testing_V1_AllTypes.self, data) { $0 == $1 || $0.containsNaN }
        roundTrip(Bigrpc_Testing_V1_AllTypes.Nested.self, data)
        roundTrip(Bigrpc_Testing_V1_SimpleRequest.self, data)
        roundTrip(Bigrpc_Testing_V1_StreamingOutputCallRequest.self, data)
        roundTrip(Bigrpc_Testing_V1_EchoStatus.self, data)
        roundTrip(Bigrpc_Testing_V1_Empty.self, data)
    }

    /// `equivalent` compares the first decode with the second; it defaults to
    /// `==` and is loosened for messages that can hold NaN, which is not equal
    /// to itself (the byte comparison still covers them).
    private static func roundTrip<M: ProtoMessage>(
        _ type: M.Type,
        _ data: UnsafeRawBufferPointer,
        equivalent: (M, M) -> Bool = { $0 == $1 }
    ) {
        guard let decoded = try? M(serializedBytes: data) else { return }
        let encoded = encodeOrDie(decoded)
        let again: M
        do {
            again = try M(serializedBytes: encoded)
        } catch {
            fatalError("\(M.self): re-encoded bytes do not decode: \(error)")
        }
        precondition(equivalent(decoded, again), "\(M.self): value changed in a round trip")
        precondition(encodeOrDie(again) == encoded, "\(M.self): encoding is not stable")
    }

    private static func encodeOrDie<M: ProtoMessage>(_ message: M) -> [UInt8] {
        do {
            return try message.serializedBytes()
        } catch {
            fatalError("\(M.self): a decoded value does not encode: \(error)")
        }
    }
}

extension Bigrpc_Testing_V1_AllTypes {
    /// Whether any float or double in the message, or in its `child` chain, is NaN.
    var containsNaN: Bool {
        fFloat.isNaN || fDouble.isNaN
            || rFloat.contains(where: \.isNaN) || rDouble.contains(where: \.isNaN)
            || child?.containsNaN == true
    }
}
