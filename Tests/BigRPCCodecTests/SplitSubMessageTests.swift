import BigRPCCodec
import BigRPCTestingProtos
import Foundation
import Testing

/// A singular sub-message sent twice in one message is refused, with the
/// field named, before protobuf-c's merge can mishandle it.
@Suite struct SplitSubMessageTests {
    private let allTypesName = "bigrpc.testing.v1.AllTypes"

    @Test func aSplitSubMessageIsRefused() {
        let input =
            WireBytes.field(17, WireBytes.key(1, wireType: 0) + [5])
            + WireBytes.field(17, WireBytes.field(2, Array("x".utf8)))
        #expect(throws: ProtoDecodingError(.repeatedSingularMessage, messageName: allTypesName, field: "f_nested")) {
            try AllTypes(serializedBytes: input)
        }
    }

    @Test func aSplitOneofSubMessageIsRefused() {
        let input = WireBytes.field(53, []) + WireBytes.field(53, [])
        #expect(throws: ProtoDecodingError(.repeatedSingularMessage, messageName: allTypesName, field: "c_nested")) {
            try AllTypes(serializedBytes: input)
        }
    }

    @Test func repeatedSubMessagesAreFine() throws {
        let input =
            WireBytes.field(37, WireBytes.key(1, wireType: 0) + [1])
            + WireBytes.field(37, WireBytes.key(1, wireType: 0) + [2])
        #expect(try AllTypes(serializedBytes: input).rNested.map(\.value) == [1, 2])
    }

    /// The input that made protobuf-c's merge quadratic: 16,000 copies of
    /// `child { r_nested {} }` took seconds and a gigabyte.
    @Test func theQuadraticMergeInputIsRefusedBeforeMerging() {
        let once = WireBytes.field(60, WireBytes.field(37, []))
        let input = Array((0..<16_000).map { _ in once }.joined())
        // Refused by the pre-scan, before protobuf-c starts merging.
        #expect(throws: ProtoDecodingError(.repeatedSingularMessage, messageName: allTypesName, field: "child")) {
            try AllTypes(serializedBytes: input)
        }
    }

    @Test func tooManySubMessagesAreRefused() throws {
        let element = WireBytes.field(37, [])
        let input = Array((0..<1_001).map { _ in element }.joined())
        #expect(throws: ProtoDecodingError(.tooManyMessages, messageName: allTypesName, field: "r_nested")) {
            try AllTypes(serializedBytes: input, limits: ProtoDecodingLimits(maxMessages: 1_000))
        }
        #expect(try AllTypes(serializedBytes: Array(input.dropLast(element.count)), limits: ProtoDecodingLimits(maxMessages: 1_000)).rNested.count == 1_000)
    }
}
