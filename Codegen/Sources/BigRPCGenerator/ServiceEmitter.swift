import ProtocPluginProtos

/// Emits the server protocol, method descriptors and typed client of a service.
struct ServiceEmitter {
    let service: Google_Protobuf_ServiceDescriptorProto
    let package: String
    let types: TypeIndex
    let comments: SourceComments
    let path: [Int32]

    func emit(into out: inout CodeWriter) throws(GeneratorError) {
        throw GeneratorError("services are not supported yet")
    }
}
