import BigRPCCodec
import BigRPCTestingProtos
import BigShopAuthAPI
import BigShopCatalogAPI
import BigShopFlashSaleAPI
import BigShopHistoryAPI
import BigShopOrdersAPI
import BigShopPaymentsAPI
import SeededRandom
import Testing

/// Descriptors built at run time from `FileDescriptorProto`s against those
/// protoc-c generated for the same messages: the same shape, and the same
/// bytes for the same message in both directions.
@Suite struct ProtoDescriptorPoolTests {
    /// A message protoc-c describes, and the files a pool builds it from.
    struct Case: CustomTestStringConvertible {
        let generated: ProtoMessageDescriptor
        let files: [[UInt8]]
        var testDescription: String { generated.fullName }
    }

    /// `Fixtures/all_types.desc` is `protoc --descriptor_set_out` of
    /// proto/bigrpc/testing/v1/all_types.proto: a `FileDescriptorSet` of one file.
    static func allTypesFile() throws -> [UInt8] {
        let set = try Fixtures.bytes("all_types.desc")
        var length = 0
        var shift = 0
        var offset = 1
        while set[offset] & 0x80 != 0 {
            length |= Int(set[offset] & 0x7F) << shift
            shift += 7
            offset += 1
        }
        length |= Int(set[offset]) << shift
        return Array(set[(offset + 1)...].prefix(length))
    }

    static func cases() throws -> [Case] {
        let allTypes = try allTypesFile()
        return [
            Case(generated: Bigrpc_Testing_V1_AllTypes.protoDescriptor, files: [allTypes]),
            Case(generated: Bigrpc_Testing_V1_AllTypes.Nested.protoDescriptor, files: [allTypes]),
            Case(generated: Bigrpc_Testing_V1_StreamingOutputCallRequest.protoDescriptor, files: Bigrpc_Testing_V1_TestService.fileDescriptorProtos),
            Case(generated: Bigshop_Catalog_V1_UpdateProductRequest.protoDescriptor, files: Bigshop_Catalog_V1_CatalogService.fileDescriptorProtos),
            Case(generated: Bigshop_Catalog_V1_ListProductsResponse.protoDescriptor, files: Bigshop_Catalog_V1_CatalogService.fileDescriptorProtos),
            Case(generated: Bigshop_Payments_V1_PayRequest.protoDescriptor, files: Bigshop_Payments_V1_PaymentsService.fileDescriptorProtos),
            Case(generated: Bigshop_Orders_V1_Order.protoDescriptor, files: Bigshop_Orders_V1_OrdersService.fileDescriptorProtos),
            Case(generated: Bigshop_History_V1_OrderEvent.protoDescriptor, files: Bigshop_History_V1_HistoryService.fileDescriptorProtos),
            Case(generated: Bigshop_Flashsale_V1_Campaign.protoDescriptor, files: Bigshop_Flashsale_V1_FlashSaleService.fileDescriptorProtos),
            Case(generated: Bigshop_Auth_V1_Session.protoDescriptor, files: Bigshop_Auth_V1_AuthService.fileDescriptorProtos),
        ]
    }

    @Test(arguments: try cases())
    func theShapeIsProtocCs(_ test: Case) throws {
        let pool = try ProtoDescriptorPool(fileDescriptorProtos: test.files)
        var compared: Set<String> = []
        try compare(test.generated, pool, &compared)
        #expect(!compared.isEmpty)
    }

    @Test(arguments: try cases())
    func theBytesAreProtocCs(_ test: Case) throws {
        let pool = try ProtoDescriptorPool(fileDescriptorProtos: test.files)
        let built = try #require(pool.message(named: test.generated.fullName))
        var random = SplitMix64(seed: 16)
        for _ in 0..<40 {
            let message = Self.randomMessage(test.generated, &random, depth: 0)
            let bytes = try message.serializedBytes()
            let rebuilt = try DynamicCodec.decode(bytes, as: built)
            #expect(try rebuilt.serializedBytes() == bytes)
            #expect(try DynamicCodec.decode(try rebuilt.serializedBytes(), as: test.generated) == message)
        }
    }

    @Test func descriptorsOutliveTheirPoolVariable() throws {
        var descriptor: ProtoMessageDescriptor?
        do {
            let pool = try ProtoDescriptorPool(fileDescriptorProtos: [try Self.allTypesFile()])
            descriptor = pool.message(named: "bigrpc.testing.v1.AllTypes")
        }
        let nested = try #require(descriptor?.field(named: "f_nested")?.messageType)
        var message = DynamicMessage(descriptor: nested)
        message[fieldNamed: "label"] = .single(.string("kept"))
        #expect(try message.serializedBytes() == [0x12, 4] + Array("kept".utf8))
    }

    @Test func unknownTypesAndMalformedBytesAreErrors() throws {
        let catalog = Bigshop_Catalog_V1_CatalogService.fileDescriptorProtos
        #expect(throws: ProtoDescriptorError.self) { try ProtoDescriptorPool(fileDescriptorProtos: [catalog[0]]) }
        #expect(throws: ProtoDescriptorError.self) { try ProtoDescriptorPool(fileDescriptorProtos: [[0x0A, 0x05, 0x61]]) }
        // message M { int32 a = 1; int32 b = 1; }
        func delimited(_ number: UInt8, _ bytes: [UInt8]) -> [UInt8] { [number << 3 | 2, UInt8(bytes.count)] + bytes }
        func field(_ name: String) -> [UInt8] { delimited(2, delimited(1, Array(name.utf8)) + [3 << 3, 1, 5 << 3, 5]) }
        let twice = delimited(1, Array("x.proto".utf8)) + delimited(4, delimited(1, [0x4D]) + field("a") + field("b"))
        #expect(throws: ProtoDescriptorError.self) { try ProtoDescriptorPool(fileDescriptorProtos: [twice]) }
        let once = delimited(1, Array("x.proto".utf8)) + delimited(4, delimited(1, [0x4D]) + field("a"))
        #expect(try ProtoDescriptorPool(fileDescriptorProtos: [once]).message(named: "M")?.fields.map(\.name) == ["a"])
    }

    // MARK: Helpers

    private func compare(_ generated: ProtoMessageDescriptor, _ pool: ProtoDescriptorPool, _ compared: inout Set<String>) throws {
        guard compared.insert(generated.fullName).inserted else { return }
        let built = try #require(pool.message(named: generated.fullName), "\(generated.fullName)")
        #expect(built.fields.map(\.number) == generated.fields.map(\.number), "\(generated.fullName)")
        for (a, b) in zip(generated.fields, built.fields) {
            let name = "\(generated.fullName).\(a.name)"
            #expect(a.name == b.name && a.type == b.type, "\(name)")
            #expect(a.isRepeated == b.isRepeated && a.isOptional == b.isOptional && a.isMap == b.isMap, "\(name)")
            #expect(a.oneofMembers.map(\.number) == b.oneofMembers.map(\.number), "\(name)")
            #expect(a.messageType?.fullName == b.messageType?.fullName, "\(name)")
            #expect((a.enumType == nil) == (b.enumType == nil), "\(name)")
            if let enumA = a.enumType, let enumB = b.enumType {
                #expect(enumA.fullName == enumB.fullName)
                #expect(enumA.values.map(\.name) == enumB.values.map(\.name))
                #expect(enumA.values.map(\.number) == enumB.values.map(\.number))
                #expect(enumA.values.allSatisfy { enumB.number(of: $0.name) == $0.number && enumB.name(of: $0.number) != nil })
            }
            if let message = a.messageType { try compare(message, pool, &compared) }
        }
    }

    /// A message with random values in about half its fields (one member of
    /// each `oneof`), none of them a singular default (which decodes as unset).
    static func randomMessage(_ descriptor: ProtoMessageDescriptor, _ random: inout SplitMix64, depth: Int) -> DynamicMessage {
        var message = DynamicMessage(descriptor: descriptor)
        for field in descriptor.fields where Bool.random(using: &random) {
            if field.type == .message && (depth >= 3 || field.isMap && depth >= 2) { continue }
            if let key = field.mapKey, let value = field.mapValue {
                message[field] = .map(
                    (0..<Int.random(in: 1...3, using: &random)).map { _ in
                        DynamicMapEntry(key: randomValue(key, &random, depth: depth), value: randomValue(value, &random, depth: depth + 1))
                    })
            } else if field.isRepeated {
                message[field] = .repeated(
                    (0..<Int.random(in: 1...3, using: &random)).map { _ in
                        randomValue(field, &random, depth: depth + 1)
                    })
            } else {
                message[field] = .single(randomValue(field, &random, depth: depth + 1))
            }
        }
        return message
    }

    private static func randomValue(_ field: ProtoFieldDescriptor, _ random: inout SplitMix64, depth: Int) -> DynamicValue {
        let small = Int.random(in: 1...300, using: &random)
        switch field.type {
        case .int32, .sint32, .sfixed32: return .int32(Bool.random(using: &random) ? Int32(small) : -Int32.random(in: 1...Int32.max, using: &random))
        case .int64, .sint64, .sfixed64: return .int64(Bool.random(using: &random) ? Int64(small) : Int64.random(in: Int64.min...(-1), using: &random))
        case .uint32, .fixed32: return .uint32(UInt32.random(in: 1...UInt32.max, using: &random))
        case .uint64, .fixed64: return .uint64(UInt64.random(in: 1...UInt64.max, using: &random))
        case .float: return .float(Float(small) / 8)
        case .double: return .double(-Double(small) / 3)
        case .bool: return .bool(true)
        case .enum:
            let numbers = field.enumType!.values.map(\.number).filter { $0 != 0 }
            return .enumValue(numbers.randomElement(using: &random) ?? 1)
        case .string: return .string(String(repeating: "é", count: small % 5 + 1) + "\(small)")
        case .bytes: return .bytes((0..<(small % 7 + 1)).map { _ in UInt8.random(in: 0...255, using: &random) })
        case .message: return .message(randomMessage(field.messageType!, &random, depth: depth))
        }
    }
}
