import Foundation
import ProtocPluginProtos
import Testing

@testable import BigRPCGenerator

/// The generator's output for committed inputs, compared byte for byte with
/// committed expectations. The input is a `protoc --descriptor_set_out` of
/// Fixtures/golden (see Fixtures/README.md), decoded by the generator's own
/// generated descriptor types.
///
/// After an intended change to the generator, refresh the expectations with
/// `UPDATE_GOLDENS=1 swift test --filter GoldenFileTests` and review the diff.
@Suite struct GoldenFileTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static let moduleMap = """
        golden/v1/golden.proto    Out/GoldenAPI  Out/CGolden
        golden/v1/shared.proto    Out/SharedAPI  Out/CGolden
        golden/v1/legacy.proto    Out/LegacyAPI  Out/CGolden
        """

    static func request(generating files: [String]) throws -> Google_Protobuf_Compiler_CodeGeneratorRequest {
        let bytes = try [UInt8](Data(contentsOf: fixtures.appendingPathComponent("golden.desc")))
        let set = try Google_Protobuf_FileDescriptorSet(serializedBytes: bytes)
        return Google_Protobuf_Compiler_CodeGeneratorRequest(fileToGenerate: files, protoFile: set.file)
    }

    @Test func matchesTheGoldenFiles() throws {
        let request = try Self.request(generating: ["golden/v1/golden.proto", "golden/v1/legacy.proto"])
        let files = try Generator(request: request, moduleMap: ModuleMap(parsing: Self.moduleMap)).generate()
        #expect(
            files.map(\.name) == [
                "Out/GoldenAPI/golden.bigrpc.swift", "Out/CGolden/include/golden/v1/golden.bigrpc.h",
                "Out/LegacyAPI/legacy.bigrpc.swift", "Out/CGolden/include/golden/v1/legacy.bigrpc.h",
            ])
        let update = ProcessInfo.processInfo.environment["UPDATE_GOLDENS"] == "1"
        for file in files {
            let golden = Self.fixtures.appendingPathComponent("expected").appendingPathComponent(file.name)
            if update {
                try FileManager.default.createDirectory(at: golden.deletingLastPathComponent(), withIntermediateDirectories: true)
                try file.content.write(to: golden, atomically: true, encoding: .utf8)
            }
            let expected = try String(contentsOf: golden, encoding: .utf8)
            #expect(file.content == expected, "\(file.name) differs from its golden file")
        }
    }

    @Test func servicesCarryTheirFileAndItsImportsWithoutComments() throws {
        let request = try Self.request(generating: ["golden/v1/golden.proto"])
        let swift = try #require(try Generator(request: request, moduleMap: ModuleMap(parsing: Self.moduleMap)).generate().first)
        let byName = Dictionary(uniqueKeysWithValues: request.protoFile.map { ($0.name ?? "", $0) })
        var golden = try #require(byName["golden/v1/golden.proto"])
        #expect(golden.sourceCodeInfo != nil)
        golden.sourceCodeInfo = nil
        var shared = try #require(byName["golden/v1/shared.proto"])
        shared.sourceCodeInfo = nil
        let literals = try [golden, shared].map { "\"" + ServiceEmitter.literal(try $0.serializedBytes()) + "\"" }
        let first = try #require(swift.content.range(of: literals[0]))
        #expect(swift.content[first.upperBound...].contains(literals[1]))
    }

    @Test func refusesFilesMissingFromTheModuleMap() throws {
        let request = try Self.request(generating: ["golden/v1/golden.proto"])
        let map = try ModuleMap(parsing: "golden/v1/golden.proto Out/A Out/B")
        #expect(throws: GeneratorError("golden/v1/shared.proto is not listed in the module map")) {
            try Generator(request: request, moduleMap: map).generate()
        }
    }

    @Test func reportsErrorsThroughTheResponse() throws {
        var request = try Self.request(generating: ["golden/v1/golden.proto"])
        request.parameter = "Unknown=1"
        let output = Generator.run(requestBytes: try request.serializedBytes()) { _ in "" }
        let response = try Google_Protobuf_Compiler_CodeGeneratorResponse(serializedBytes: output)
        #expect(response.error?.contains("unknown option") == true)
        #expect(response.file.isEmpty)
    }

    @Test func refusesProto3Optional() throws {
        var request = try Self.request(generating: ["golden/v1/golden.proto"])
        let index = try #require(request.protoFile.firstIndex { $0.name == "golden/v1/golden.proto" })
        request.protoFile[index].messageType[1].field.append(
            Google_Protobuf_FieldDescriptorProto(
                name: "maybe", number: 1, label: .optional, type: .int32, proto3Optional: true
            ))
        #expect(throws: GeneratorError.self) {
            try Generator(request: request, moduleMap: ModuleMap(parsing: Self.moduleMap)).generate()
        }
    }
}

@Suite struct NamingTests {
    @Test func cNamesFollowProtocC() {
        #expect(Naming.cFullNameToLower("bigrpc.testing.v1.SimpleRequest") == "bigrpc__testing__v1__simple_request")
        #expect(Naming.cFullNameToLower("a.b.SimpleRequest.HTTPInner") == "a__b__simple_request__httpinner")
        #expect(Naming.cFullNameToLower("google.protobuf.FieldMask") == "google__protobuf__field_mask")
    }

    @Test func enumCasesDropTheEnumName() {
        #expect(Naming.enumCaseName(value: "ORDER_STATUS_PENDING_PAYMENT", enumName: "OrderStatus") == "pendingPayment")
        #expect(Naming.enumCaseName(value: "TYPE_DOUBLE", enumName: "Type") == "double")
        #expect(Naming.enumCaseName(value: "JS_NORMAL", enumName: "JSType") == "jsNormal")
        // A number cannot start a Swift identifier: keep the prefix.
        #expect(Naming.enumCaseName(value: "PAYMENT_STATE_2FA_REQUIRED", enumName: "PaymentState") == "paymentState2faRequired")
    }

    @Test func fieldNamesAreLowerCamelCaseAndEscaped() {
        #expect(Naming.lowerCamel("response_size") == "responseSize")
        #expect(Naming.lowerCamel("URL_count") == "urlCount")
        #expect(Naming.escaped("default") == "`default`")
        #expect(Naming.escaped("self") == "self_p")
        #expect(Naming.packagePrefix("bigshop.orders.v1") == "Bigshop_Orders_V1_")
    }
}
