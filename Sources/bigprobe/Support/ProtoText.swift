import BigRPC
import BigRPCCodec

/// Proto-like text for services, methods, messages and enums, written from
/// the protobuf-c descriptors built from the server's reflection. protobuf-c
/// keeps no comments, options or `oneof` names, so a `oneof` reads `oneof {`.
enum ProtoText {
    static func service(_ name: String, _ methods: [ReflectedMethod]) -> String {
        var text = "// \(name)\nservice \(shortName(name)) {\n"
        for method in methods {
            text += "  " + rpc(method) + "\n"
        }
        return text + "}\n"
    }

    /// `rpc Name(Request) returns (Response);` with `stream` where it applies.
    static func rpc(_ method: ReflectedMethod) -> String {
        let clientStreams = !method.method.kind.hasSingleRequest ? "stream " : ""
        let serverStreams = !method.method.kind.hasSingleResponse ? "stream " : ""
        return "rpc \(method.method.method)(\(clientStreams)\(method.input.fullName)) returns (\(serverStreams)\(method.output.fullName));"
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
