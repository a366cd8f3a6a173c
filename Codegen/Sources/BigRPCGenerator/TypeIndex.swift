import ProtocPluginProtos

/// Every message and enum visible to the request, by full proto name
/// (`.bigrpc.testing.v1.SimpleRequest`), with the names the emitters need.
struct TypeIndex {
    struct MessageInfo {
        var proto: Google_Protobuf_DescriptorProto
        var fullName: String
        /// The Swift type, qualified: `Bigrpc_Testing_V1_AllTypes.Nested`.
        var swiftName: String
        var swiftModule: String
        /// protoc-c's lowercase name, the stem of `<stem>__descriptor`.
        var cName: String
        var isMapEntry: Bool
        var file: String
    }

    struct EnumInfo {
        var proto: Google_Protobuf_EnumDescriptorProto
        var fullName: String
        var swiftName: String
        var swiftModule: String
        /// Swift case name of the first declared value, the default.
        var defaultCase: String
    }

    private(set) var messages: [String: MessageInfo] = [:]
    private(set) var enums: [String: EnumInfo] = [:]

    init(files: [Google_Protobuf_FileDescriptorProto], moduleMap: ModuleMap) {
        for file in files {
            let package = file.package ?? ""
            let module = moduleMap.entries[file.name ?? ""]?.swiftModule ?? ""
            let protoPrefix = package.isEmpty ? "" : "." + package
            let swiftPrefix = Naming.packagePrefix(package)
            for message in file.messageType {
                add(message, protoParent: protoPrefix, swiftParent: nil, swiftPrefix: swiftPrefix, module: module, file: file.name ?? "")
            }
            for enumProto in file.enumType {
                addEnum(enumProto, protoParent: protoPrefix, swiftParent: nil, swiftPrefix: swiftPrefix, module: module)
            }
        }
    }

    private mutating func add(
        _ message: Google_Protobuf_DescriptorProto,
        protoParent: String,
        swiftParent: String?,
        swiftPrefix: String,
        module: String,
        file: String
    ) {
        let name = message.name ?? ""
        let fullName = protoParent + "." + name
        let swiftName = swiftParent.map { $0 + "." + Naming.typeName(name) } ?? swiftPrefix + name
        messages[fullName] = MessageInfo(
            proto: message,
            fullName: fullName,
            swiftName: swiftName,
            swiftModule: module,
            cName: Naming.cFullNameToLower(String(fullName.dropFirst())),
            isMapEntry: message.options?.mapEntry == true,
            file: file
        )
        for nested in message.nestedType {
            add(nested, protoParent: fullName, swiftParent: swiftName, swiftPrefix: swiftPrefix, module: module, file: file)
        }
        for enumProto in message.enumType {
            addEnum(enumProto, protoParent: fullName, swiftParent: swiftName, swiftPrefix: swiftPrefix, module: module)
        }
    }

    private mutating func addEnum(
        _ enumProto: Google_Protobuf_EnumDescriptorProto,
        protoParent: String,
        swiftParent: String?,
        swiftPrefix: String,
        module: String
    ) {
        let name = enumProto.name ?? ""
        let fullName = protoParent + "." + name
        let swiftName = swiftParent.map { $0 + "." + Naming.typeName(name) } ?? swiftPrefix + name
        let firstValue = enumProto.value.first?.name ?? ""
        enums[fullName] = EnumInfo(
            proto: enumProto,
            fullName: fullName,
            swiftName: swiftName,
            swiftModule: module,
            defaultCase: Naming.escaped(Naming.enumCaseName(value: firstValue, enumName: name))
        )
    }

    func message(_ fullName: String) throws(GeneratorError) -> MessageInfo {
        guard let info = messages[fullName] else { throw GeneratorError("unknown message type \(fullName)") }
        return info
    }

    func enumeration(_ fullName: String) throws(GeneratorError) -> EnumInfo {
        guard let info = enums[fullName] else { throw GeneratorError("unknown enum type \(fullName)") }
        return info
    }

    /// The messages that can contain themselves through singular message
    /// fields (including `oneof` members): such fields must be boxed, since a
    /// Swift struct cannot contain itself. Returns the set of (message, field
    /// number) pairs that close a cycle.
    func recursiveFields() -> Set<String> {
        var edges: [String: [(field: Int32, target: String)]] = [:]
        for (name, info) in messages {
            for field in info.proto.field where field.label != .repeated && field.type == .message {
                edges[name, default: []].append((field.number ?? 0, field.typeName ?? ""))
            }
        }
        var result: Set<String> = []
        for (name, outgoing) in edges {
            for edge in outgoing where reaches(from: edge.target, to: name, edges: edges) {
                result.insert("\(name)#\(edge.field)")
            }
        }
        return result
    }

    private func reaches(from start: String, to goal: String, edges: [String: [(field: Int32, target: String)]]) -> Bool {
        var seen: Set<String> = []
        var stack = [start]
        while let node = stack.popLast() {
            if node == goal { return true }
            guard seen.insert(node).inserted else { continue }
            stack.append(contentsOf: edges[node, default: []].map(\.target))
        }
        return false
    }
}
