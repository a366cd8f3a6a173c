import ProtocPluginProtos

/// Emits a Swift struct for a protobuf message: stored properties with proto3
/// defaults, a memberwise initializer, and the conversions to and from
/// protobuf-c's C struct through `ProtoReader` / `ProtoWriter`.
struct MessageEmitter {
    let info: TypeIndex.MessageInfo
    let types: TypeIndex
    let recursiveFields: Set<String>
    let comments: SourceComments
    let path: [Int32]
    let isProto3: Bool

    private struct OneofModel {
        var swiftName: String
        var typeName: String
        var members: [FieldModel]
        var comment: String?
    }

    func emit(into out: inout CodeWriter, declaredName: String) throws(GeneratorError) {
        let (fields, oneofs) = try models()
        let plainFields = fields.filter { if case .oneofMember = $0.cardinality { false } else { true } }

        out.docComment(comments[path])
        var failure: GeneratorError?
        out.block("public struct \(declaredName): ProtoMessage {") { out in
            for field in plainFields {
                emitProperty(field, into: &out)
            }
            for oneof in oneofs {
                emitOneof(oneof, into: &out)
            }
            emitInitializers(plainFields, oneofs, into: &out)
            out.line()
            out.block("public static var protoDescriptor: ProtoMessageDescriptor {") { out in
                out.line("ProtoMessageDescriptor(unsafeCDescriptor: \(info.cName)__descriptor_ptr())")
            }
            out.line()
            emitReader(plainFields, oneofs, into: &out)
            out.line()
            emitWriter(plainFields, oneofs, into: &out)
            do throws(GeneratorError) {
                try emitNestedTypes(into: &out)
            } catch {
                failure = error
            }
        }
        if let failure { throw failure }
    }

    // MARK: Model

    private func models() throws(GeneratorError) -> ([FieldModel], [OneofModel]) {
        let sorted = info.proto.field.sorted { ($0.number ?? 0) < ($1.number ?? 0) }
        var fields: [FieldModel] = []
        for (index, field) in sorted.enumerated() {
            let declarationIndex = info.proto.field.firstIndex { $0.number == field.number } ?? 0
            if field.proto3Optional == true {
                throw GeneratorError("\(info.fullName).\(field.name ?? ""): proto3 `optional` is not supported by protobuf-c")
            }
            let cardinality: FieldModel.Cardinality
            if let oneof = field.oneofIndex {
                cardinality = .oneofMember(Int(oneof))
            } else {
                switch field.label {
                case .repeated?: cardinality = .repeated
                case .required?: cardinality = .required
                case .optional? where !isProto3: cardinality = .optional
                default: cardinality = .implicit
                }
            }
            fields.append(
                FieldModel(
                    proto: field,
                    index: index,
                    swiftName: Naming.escaped(Naming.lowerCamel(field.name ?? "")),
                    cardinality: cardinality,
                    kind: try FieldModel.valueKind(field, types: types),
                    isBoxed: recursiveFields.contains("\(info.fullName)#\(field.number ?? 0)"),
                    comment: comments[path + [SourceComments.messageField, Int32(declarationIndex)]]
                ))
        }
        let oneofs = info.proto.oneofDecl.enumerated().map { offset, decl in
            let name = decl.name ?? ""
            return OneofModel(
                swiftName: Naming.escaped(Naming.lowerCamel(name)),
                typeName: "OneOf_" + Naming.upperCamel(name),
                members: fields.filter { if case .oneofMember(let i) = $0.cardinality { i == offset } else { false } },
                comment: comments[path + [SourceComments.messageOneof, Int32(offset)]]
            )
        }
        return (fields, oneofs)
    }

    // MARK: Declarations

    private func emitProperty(_ field: FieldModel, into out: inout CodeWriter) {
        out.docComment(field.comment)
        if field.isBoxed {
            let storage = "_" + field.swiftName.filter { $0 != "`" }
            let wrapped = FieldModel.swiftType(field.kind)
            out.block("public var \(field.swiftName): \(field.propertyType) {") { out in
                out.line("get { \(storage)?.value }")
                out.line("set { \(storage) = newValue.map(ProtoBox.init) }")
            }
            out.line("private var \(storage): ProtoBox<\(wrapped)>? = nil")
        } else {
            out.line("public var \(field.swiftName): \(field.propertyType) = \(field.defaultValue)")
        }
    }

    private func emitOneof(_ oneof: OneofModel, into out: inout CodeWriter) {
        out.line()
        out.block("public enum \(oneof.typeName): Hashable, Sendable {") { out in
            for member in oneof.members {
                out.docComment(member.comment)
                let indirect = member.isBoxed ? "indirect " : ""
                out.line("\(indirect)case \(member.swiftName)(\(FieldModel.swiftType(member.kind)))")
            }
        }
        out.docComment(oneof.comment)
        out.line("public var \(oneof.swiftName): \(oneof.typeName)? = nil")
    }

    private func emitInitializers(_ fields: [FieldModel], _ oneofs: [OneofModel], into out: inout CodeWriter) {
        out.line()
        out.line("public init() {}")
        guard !fields.isEmpty || !oneofs.isEmpty else { return }
        out.line()
        let parameters =
            fields.map { "\($0.swiftName): \($0.propertyType) = \($0.defaultValue)" }
            + oneofs.map { "\($0.swiftName): \($0.typeName)? = nil" }
        out.line("public init(")
        out.indent { out in
            for (offset, parameter) in parameters.enumerated() {
                out.line(parameter + (offset == parameters.count - 1 ? "" : ","))
            }
        }
        out.block(") {") { out in
            for name in fields.map(\.swiftName) + oneofs.map(\.swiftName) {
                out.line("self.\(name) = \(name)")
            }
        }
    }

    private func emitNestedTypes(into out: inout CodeWriter) throws(GeneratorError) {
        for (offset, nested) in info.proto.nestedType.enumerated() {
            let nestedInfo = try types.message(info.fullName + "." + (nested.name ?? ""))
            if nestedInfo.isMapEntry { continue }
            out.line()
            try MessageEmitter(
                info: nestedInfo,
                types: types,
                recursiveFields: recursiveFields,
                comments: comments,
                path: path + [SourceComments.messageNestedType, Int32(offset)],
                isProto3: isProto3
            ).emit(into: &out, declaredName: Naming.typeName(nested.name ?? ""))
        }
        for (offset, nested) in info.proto.enumType.enumerated() {
            out.line()
            EnumEmitter(
                info: try types.enumeration(info.fullName + "." + (nested.name ?? "")),
                comments: comments,
                path: path + [SourceComments.messageEnumType, Int32(offset)]
            ).emit(into: &out, declaredName: Naming.typeName(nested.name ?? ""))
        }
    }

    // MARK: Conversions

    private func emitReader(_ fields: [FieldModel], _ oneofs: [OneofModel], into out: inout CodeWriter) {
        let signature = "public init(protoReader reader: borrowing ProtoReader) throws(ProtoDecodingError) {"
        guard !fields.isEmpty || !oneofs.isEmpty else {
            out.line(signature + "}")
            return
        }
        out.block(signature) { out in
            for field in fields {
                let name = field.swiftName
                switch field.cardinality {
                case .repeated:
                    out.line("\(name) = " + FieldModel.readRepeatedExpression(field.kind, reader: "reader", index: field.index))
                case .optional:
                    if case .message = field.kind {
                        out.line("\(name) = " + FieldModel.readExpression(field.kind, reader: "reader", index: field.index))
                    } else {
                        out.line(
                            "if reader.has(\(field.index)) { \(name) = "
                                + FieldModel.readExpression(field.kind, reader: "reader", index: field.index) + " }")
                    }
                case .implicit, .required, .oneofMember:
                    out.line("\(name) = " + FieldModel.readExpression(field.kind, reader: "reader", index: field.index))
                }
            }
            for oneof in oneofs {
                guard let first = oneof.members.first else { continue }
                out.line("switch reader.oneofCase(\(first.index)) {")
                for member in oneof.members {
                    let value = FieldModel.readExpression(member.kind, reader: "reader", index: member.index)
                    if case .message(let type) = member.kind {
                        out.line("case \(member.number): \(oneof.swiftName) = .\(member.swiftName)(\(value) ?? \(type)())")
                    } else {
                        out.line("case \(member.number): \(oneof.swiftName) = .\(member.swiftName)(\(value))")
                    }
                }
                out.line("default: \(oneof.swiftName) = nil")
                out.line("}")
            }
        }
    }

    private func emitWriter(_ fields: [FieldModel], _ oneofs: [OneofModel], into out: inout CodeWriter) {
        let signature = "public func write(to writer: inout ProtoWriter) throws(ProtoEncodingError) {"
        guard !fields.isEmpty || !oneofs.isEmpty else {
            out.line(signature + "}")
            return
        }
        out.block(signature) { out in
            for field in fields {
                let name = field.swiftName
                let unwrapped = "self." + name
                switch field.cardinality {
                case .repeated:
                    out.line(FieldModel.writeRepeatedStatement(field.kind, writer: "writer", index: field.index, value: unwrapped))
                case .optional:
                    out.line(
                        "if let value = \(unwrapped) { "
                            + FieldModel.writeStatement(field.kind, writer: "writer", index: field.index, value: "value") + " }")
                case .implicit, .required, .oneofMember:
                    let write = FieldModel.writeStatement(field.kind, writer: "writer", index: field.index, value: unwrapped)
                    switch field.kind {
                    case .message:
                        out.line(
                            "if let value = \(unwrapped) { "
                                + FieldModel.writeStatement(field.kind, writer: "writer", index: field.index, value: "value") + " }")
                    case .string, .bytes:
                        out.line("if !\(unwrapped).isEmpty { \(write) }")
                    default:
                        out.line(write)
                    }
                }
            }
            for oneof in oneofs {
                out.line("switch self.\(oneof.swiftName) {")
                for member in oneof.members {
                    out.line(
                        "case .\(member.swiftName)(let value)?: "
                            + FieldModel.writeStatement(member.kind, writer: "writer", index: member.index, value: "value"))
                }
                out.line("case nil: break")
                out.line("}")
            }
        }
    }
}
