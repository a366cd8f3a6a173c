import ProtocPluginProtos

/// Emits a Swift enum for a protobuf enum. Unknown numbers are kept in
/// `.unrecognized`, so values from a newer schema survive a round trip.
struct EnumEmitter {
    let info: TypeIndex.EnumInfo
    let comments: SourceComments
    let path: [Int32]

    func emit(into out: inout CodeWriter, declaredName: String) {
        let name = info.proto.name ?? ""
        // Aliases (allow_alias) share a number: the first name wins when decoding.
        var seenNumbers: Set<Int32> = []
        let values = info.proto.value.enumerated().map { offset, value in
            (
                caseName: Naming.escaped(Naming.enumCaseName(value: value.name ?? "", enumName: name)),
                number: value.number ?? 0,
                comment: comments[path + [SourceComments.enumValue, Int32(offset)]]
            )
        }
        out.docComment(comments[path])
        out.block("public enum \(declaredName): ProtoEnum {") { out in
            for value in values {
                out.docComment(value.comment)
                out.line("case \(value.caseName)  // = \(value.number)")
            }
            out.line("/// A number this version of the schema does not declare.")
            out.line("case unrecognized(Int32)")
            out.line()
            out.block("public init(rawValue: Int32) {") { out in
                out.line("switch rawValue {")
                for value in values where seenNumbers.insert(value.number).inserted {
                    out.line("case \(value.number): self = .\(value.caseName)")
                }
                out.line("default: self = .unrecognized(rawValue)")
                out.line("}")
            }
            out.line()
            out.block("public var rawValue: Int32 {") { out in
                out.line("switch self {")
                for value in values {
                    out.line("case .\(value.caseName): \(value.number)")
                }
                out.line("case .unrecognized(let number): number")
                out.line("}")
            }
            out.line()
            out.line("public static let allCases: [Self] = [" + values.map { "." + $0.caseName }.joined(separator: ", ") + "]")
        }
    }
}
