import BigRPCTestingProtos
import Testing

@testable import bigprobe

/// The proto-like text `describe` prints, for shapes the shop's API lacks.
@Suite struct ProtoTextTests {
    @Test func everyFieldShapeOfAllTypes() {
        let text = ProtoText.message(Bigrpc_Testing_V1_AllTypes.protoDescriptor)
        #expect(text.hasPrefix("// bigrpc.testing.v1.AllTypes\nmessage AllTypes {\n  int32 f_int32 = 1;\n"))
        #expect(text.contains("  sfixed64 f_sfixed64 = 10;\n"))
        #expect(text.contains("  bigrpc.testing.v1.Color f_enum = 16;\n"))
        #expect(text.contains("  bigrpc.testing.v1.AllTypes.Nested f_nested = 17;\n"))
        #expect(text.contains("  repeated bytes r_bytes = 35;\n"))
        #expect(text.contains("  map<string, string> m_string_string = 41;\n"))
        #expect(text.contains("  map<uint64, bigrpc.testing.v1.Color> m_uint64_enum = 44;\n"))
        #expect(
            text.contains(
                """
                  oneof {
                    string c_string = 51;
                    int64 c_int64 = 52;
                    bigrpc.testing.v1.AllTypes.Nested c_nested = 53;
                    bigrpc.testing.v1.Color c_enum = 54;
                  }
                  bigrpc.testing.v1.AllTypes child = 60;

                """))
        #expect(text.hasSuffix("  int32 self = 62;\n}\n"))
    }
}
