import ProtocPluginProtos

/// protoc-gen-bigrpc's generator: turns a `CodeGeneratorRequest` into Swift
/// message types, service protocols and clients, plus C descriptor accessors.
///
/// For `dir/name.proto` listed in the module map it writes
/// `<swift dir>/name.bigrpc.swift` and `<c dir>/include/dir/name.bigrpc.h`,
/// paths relative to protoc's output directory.
public struct Generator {
    public struct File: Equatable, Sendable {
        public var name: String
        public var content: String
    }

    private let request: Google_Protobuf_Compiler_CodeGeneratorRequest
    private let moduleMap: ModuleMap

    public init(request: Google_Protobuf_Compiler_CodeGeneratorRequest, moduleMap: ModuleMap) {
        self.request = request
        self.moduleMap = moduleMap
    }

    public func generate() throws(GeneratorError) -> [File] {
        let types = TypeIndex(files: request.protoFile, moduleMap: moduleMap)
        let recursiveFields = types.recursiveFields()
        var files: [File] = []
        for name in request.fileToGenerate {
            guard let file = request.protoFile.first(where: { $0.name == name }) else {
                throw GeneratorError("\(name) is missing from the request's proto_file")
            }
            let syntax = file.syntax ?? "proto2"
            guard syntax == "proto3" || syntax == "proto2" else {
                throw GeneratorError("\(name): syntax \(syntax) is not supported")
            }
            let entry = try moduleMap.entry(for: name)
            let base = String(name.dropLast(".proto".count))
            let swiftFile = String(base.split(separator: "/").last ?? "") + ".bigrpc.swift"
            files.append(
                File(
                    name: entry.swiftDirectory + "/" + swiftFile,
                    content: try FileEmitter(
                        file: file, types: types, moduleMap: moduleMap, recursiveFields: recursiveFields,
                        fileDescriptorProtos: file.service.isEmpty ? [] : try fileDescriptorProtos(of: file)
                    ).emit()
                ))
            files.append(
                File(
                    name: entry.cDirectory + "/include/" + base + ".bigrpc.h",
                    content: CHeaderEmitter(file: file, types: types).emit()
                ))
        }
        return files
    }

    /// `root`'s descriptor, then those of the files it imports, directly or
    /// not, each serialized without its source info (comments).
    private func fileDescriptorProtos(of root: Google_Protobuf_FileDescriptorProto) throws(GeneratorError) -> [[UInt8]] {
        var files: [Google_Protobuf_FileDescriptorProto] = []
        var pending = [root]
        while !pending.isEmpty {
            var file = pending.removeFirst()
            guard !files.contains(where: { $0.name == file.name }) else { continue }
            for dependency in file.dependency {
                guard let imported = request.protoFile.first(where: { $0.name == dependency }) else {
                    throw GeneratorError("\(dependency) is missing from the request's proto_file")
                }
                pending.append(imported)
            }
            file.sourceCodeInfo = nil
            files.append(file)
        }
        do {
            return try files.map { try $0.serializedBytes() }
        } catch {
            throw GeneratorError("\(root.name ?? ""): \(error)")
        }
    }

    /// Decodes a request, generates, and encodes the response protoc expects.
    /// Failures become the response's `error`, which protoc reports.
    public static func run(
        requestBytes: [UInt8],
        readFile: (String) throws -> String
    ) -> [UInt8] {
        var response = Google_Protobuf_Compiler_CodeGeneratorResponse()
        do {
            let request = try Google_Protobuf_Compiler_CodeGeneratorRequest(serializedBytes: requestBytes)
            let options = try GeneratorOptions(parameter: request.parameter ?? "")
            let moduleMap = try ModuleMap(parsing: try readFile(options.moduleMapPath))
            response.file = try Generator(request: request, moduleMap: moduleMap).generate().map {
                Google_Protobuf_Compiler_CodeGeneratorResponse.File(name: $0.name, content: $0.content)
            }
        } catch {
            response.error = "protoc-gen-bigrpc: \(error)"
        }
        // A response with only strings that came from UTF-8 input always encodes.
        return (try? response.serializedBytes()) ?? []
    }
}

/// The plugin's parameter: `ModuleMap=<path to proto/modules.map>`.
struct GeneratorOptions {
    var moduleMapPath: String

    init(parameter: String) throws(GeneratorError) {
        var moduleMapPath: String?
        for option in parameter.split(separator: ",") {
            let parts = option.split(separator: "=", maxSplits: 1).map(String.init)
            switch (parts.first, parts.count) {
            case ("ModuleMap", 2): moduleMapPath = parts[1]
            default: throw GeneratorError("unknown option `\(option)`; expected ModuleMap=<path>")
            }
        }
        guard let moduleMapPath else { throw GeneratorError("missing option ModuleMap=<path to proto/modules.map>") }
        self.moduleMapPath = moduleMapPath
    }
}
