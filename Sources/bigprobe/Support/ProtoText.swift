import BigRPC
import BigRPCCodec

/// Proto-like text for services, methods, messages and enums, written from
/// protobuf-c's runtime descriptors. protobuf-c keeps no comments, options
/// or `oneof` names, so a `oneof` reads `oneof {`.
enum ProtoText {
    static func service(_ service: CompiledService) -> String {
        var text = "// \(service.name)\nservice \(service.shortName) {\n"
        for method in service.methods {
            text += "  " + rpc(method, service.messageTypes[method.method]) + "\n"
        }
        return text + "}\n"
    }

    /// `rpc Name(Request) returns (Response);` with `stream` where it applies.
    static func rpc(_ method: MethodDescriptor, _ types: (input: ProtoMessageDescriptor, output: ProtoMessageDescriptor)?) -> String {
        let input = types?.input.fullName ?? "?"
        let output = types?.output.fullName ?? "?"
        let clientStreams = !method.kind.hasSingleRequest ? "stream " : ""
        let serverStreams = !method.kind.hasSingleResponse ? "stream " : ""
        return "rpc \(method.method)(\(clientStreams)\(input)) returns (\(serverStreams)\(output));"
    }

    static func message(_ message: ProtoMessageDescriptor) -> String {
        var text = "// \(message.fullName)\nmessage \(shortName(message.fullName)) {\n"
        var printedOneofs: Set<UInt32> = []
        for field in message.fields {
            let members = field.oneofMembers
            guard let first = members.first else {
                text += "  \(declaration(field))\n"
                continue
            }
            guard printedOneofs.insert(first.number).inserted else { continue }
            text += "  oneof {\n"
            for member in members { text += "    \(declaration(member))\n" }
            text += "  }\n"
        }
        return text + "}\n"
    }

    static func enumeration(_ type: ProtoEnumDescriptor) -> String {
        var text = "// \(type.fullName)\nenum \(shortName(type.fullName)) {\n"
        for value in type.values { text += "  \(value.name) = \(value.number);\n" }
        return text + "}\n"
    }

    private static func declaration(_ field: ProtoFieldDescriptor) -> String {
        if let key = field.mapKey, let value = field.mapValue {
            return "map<\(typeName(key)), \(typeName(value))> \(field.name) = \(field.number);"
        }
        return (field.isRepeated ? "repeated " : "") + "\(typeName(field)) \(field.name) = \(field.number);"
    }

    private static func typeName(_ field: ProtoFieldDescriptor) -> String {
        if let message = field.messageType { return message.fullName }
        if let type = field.enumType { return type.fullName }
        return "\(field.type)"
    }

    private static func shortName(_ fullName: String) -> String {
        String(fullName.split(separator: ".").last ?? Substring(fullName))
    }
}
