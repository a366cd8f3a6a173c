import ProtocPluginProtos

/// The comments written above each declaration of a .proto file, found by
/// their `SourceCodeInfo` path (e.g. `[4, 0, 2, 1]` is field 1 of message 0).
struct SourceComments {
    private var leading: [[Int32]: String] = [:]

    init(_ file: Google_Protobuf_FileDescriptorProto) {
        for location in file.sourceCodeInfo?.location ?? [] {
            if let comment = location.leadingComments, !comment.isEmpty {
                leading[location.path] = comment
            }
        }
    }

    subscript(path: [Int32]) -> String? { leading[path] }

    // Field numbers of the descriptor.proto messages that make up paths.
    static let fileMessageType: Int32 = 4
    static let fileEnumType: Int32 = 5
    static let fileService: Int32 = 6
    static let messageField: Int32 = 2
    static let messageNestedType: Int32 = 3
    static let messageEnumType: Int32 = 4
    static let messageOneof: Int32 = 8
    static let enumValue: Int32 = 2
    static let serviceMethod: Int32 = 2
}
