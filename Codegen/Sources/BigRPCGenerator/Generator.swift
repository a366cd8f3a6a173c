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
    private let openAPI: (file: String, title: String)?

    /// - Parameter openAPI: when set, the generator writes only an OpenAPI
    ///   document of the files' services to `file`, instead of Swift and C.
    public init(
        request: Google_Protobuf_Compiler_CodeGeneratorRequest, moduleMap: ModuleMap,
        openAPI: (file: String, title: String)? = nil
    ) {
        self.request = request
        self.moduleMap = moduleMap
        self.openAPI = openAPI
    }

    public func generate() throws(GeneratorError) -> [File] {
        let types = TypeIndex(files: request.protoFile, moduleMap: moduleMap)
        if let openAPI {
            let files = request.fileToGenerate.compactMap { name in request.protoFile.first { $0.name == name } }
            return [
                File(
                    name: openAPI.file,
                    content: try OpenAPIEmitter(files: files, allFiles: request.protoFile, types: types, title: openAPI.title).emit())
            ]
        }
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
            let openAPI = options.openAPIFile.map { (file: $0, title: options.openAPITitle) }
            response.file = try Generator(request: request, moduleMap: moduleMap, openAPI: openAPI).generate().map {
                Google_Protobuf_Compiler_CodeGeneratorResponse.File(name: $0.name, content: $0.content)
            }
        } catch {
            response.error = "protoc-gen-bigrpc: \(error)"
        }
        // A response with only strings that came from UTF-8 input always encodes.
        return (try? response.serializedBytes()) ?? []
    }
}

/// The plugin's parameter: `ModuleMap=<path to proto/modules.map>`, and
/// optionally `OpenAPI=<output file>` (with `OpenAPITitle=<title>`) to write
/// an OpenAPI document of the services instead of code.
struct GeneratorOptions {
    var moduleMapPath: String
    var openAPIFile: String?
    var openAPITitle = "BigRPC HTTP/JSON API"

    init(parameter: String) throws(GeneratorError) {
        var moduleMapPath: String?
        for option in parameter.split(separator: ",") {
            let parts = option.split(separator: "=", maxSplits: 1).map(String.init)
            switch (parts.first, parts.count) {
            case ("ModuleMap", 2): moduleMapPath = parts[1]
            case ("OpenAPI", 2): openAPIFile = parts[1]
            case ("OpenAPITitle", 2): openAPITitle = parts[1].replacingSpaces()
            default: throw GeneratorError("unknown option `\(option)`; expected ModuleMap=<path>, OpenAPI=<file>, OpenAPITitle=<title>")
            }
        }
        guard let moduleMapPath else { throw GeneratorError("missing option ModuleMap=<path to proto/modules.map>") }
        self.moduleMapPath = moduleMapPath
    }
}

extension String {
    /// protoc parameters cannot hold spaces easily: `+` stands for one.
    fileprivate func replacingSpaces() -> String {
        String(map { $0 == "+" ? " " : $0 })
    }
}
