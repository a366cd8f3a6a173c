import BigRPCCodec
import BigShopCatalogAPI
import ProtoJSON
import Testing
import WellKnownProtos

/// `google.protobuf.FieldMask` is a comma-separated string of lowerCamelCase paths.
@Suite struct FieldMaskTests {
    @Test func aNestedFieldMaskRoundTripsThroughItsFixture() throws {
        let json = try FixtureFiles.text("update_product.json")
        let expected = Bigshop_Catalog_V1_UpdateProductRequest(
            product: Bigshop_Catalog_V1_Product(id: "p-1", name: "iPhone", priceCents: 100),
            updateMask: Google_Protobuf_FieldMask(paths: ["price_cents", "name", "product.created_at_ms"])
        )
        let descriptor = Bigshop_Catalog_V1_UpdateProductRequest.protoDescriptor
        let message = try ProtoJSONDecoder().decode(json, as: descriptor)
        #expect(try message.serializedBytes() == expected.serializedBytes())
        let back = try DynamicCodec.decode(expected.serializedBytes(), as: descriptor)
        #expect(try ProtoJSONEncoder().encode(back) + "\n" == json)
    }

    @Test func aTopLevelFieldMaskIsAString() throws {
        let descriptor = Google_Protobuf_FieldMask.protoDescriptor
        let message = try ProtoJSONDecoder().decode(#""fooBar,baz.quxQuux""#, as: descriptor)
        #expect(try Google_Protobuf_FieldMask(serializedBytes: message.serializedBytes()).paths == ["foo_bar", "baz.qux_quux"])
        #expect(try ProtoJSONEncoder().encode(message) == #""fooBar,baz.quxQuux""#)
    }

    @Test func anEmptyMaskIsAnEmptyString() throws {
        let descriptor = Google_Protobuf_FieldMask.protoDescriptor
        let message = try ProtoJSONDecoder().decode(#""""#, as: descriptor)
        #expect(message.isEmpty)
        #expect(try ProtoJSONEncoder().encode(message) == #""""#)
    }

    @Test func aPathWithAnUnderscoreIsRefusedOnInput() {
        #expect(throws: ProtoJSONError.self) {
            try ProtoJSONDecoder().decode(#""price_cents""#, as: Google_Protobuf_FieldMask.protoDescriptor)
        }
    }

    @Test(arguments: ["fooBar", "foo__bar", "foo_1", "trailing_"])
    func aPathWithNoCamelCaseFormIsRefusedOnOutput(path: String) throws {
        let bytes = try Google_Protobuf_FieldMask(paths: [path]).serializedBytes()
        let message = try DynamicCodec.decode(bytes, as: Google_Protobuf_FieldMask.protoDescriptor)
        #expect(throws: ProtoJSONError.self) { try ProtoJSONEncoder().encode(message) }
    }

    @Test func aMaskMustBeAString() {
        let error = #expect(throws: ProtoJSONError.self) {
            try ProtoJSONDecoder().decode(#"{"updateMask": {"paths": ["name"]}}"#, as: Bigshop_Catalog_V1_UpdateProductRequest.protoDescriptor)
        }
        #expect(error?.path == "$.updateMask")
    }
}
