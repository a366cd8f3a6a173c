import BigRPC
import BigRPCCodec
import BigRPCProtos

/// A method as the server's reflection describes it.
struct ReflectedMethod {
    let method: MethodDescriptor
    let input: ProtoMessageDescriptor
    let output: ProtoMessageDescriptor
}

/// What a server's reflection says about one symbol: protobuf-c descriptors
/// built from the `.proto` file that declares it and the files it imports.
/// All `bigprobe` knows of a server's types comes from here.
struct ServerSchema {
    let pool: ProtoDescriptorPool

    /// Asks the server, over `transport`, for the files declaring `symbol`
    /// (`package.Service`, `package.Service/Method`, a message or an enum);
    /// nil when the server knows no such symbol.
    static func fetch(
        _ symbol: String,
        over transport: any ClientTransport,
        metadata: Metadata = [:]
    ) async throws -> ServerSchema? {
        let reflection = Bigrpc_Reflection_V1_Reflection.Client(wrapping: RPCClient(transport: transport))
        let request = Bigrpc_Reflection_V1_FileContainingSymbolRequest(symbol: String(fullName(symbol).map { $0 == "/" ? "." : $0 }))
        let response: Bigrpc_Reflection_V1_FileDescriptorsResponse
        do {
            response = try await reflection.fileContainingSymbol(request, metadata: metadata, options: CallOptions(timeout: .seconds(10)))
        } catch let error as RPCError where error.code == .notFound {
            return nil
        }
        do {
            return ServerSchema(pool: try ProtoDescriptorPool(fileDescriptorProtos: response.fileDescriptorProto))
        } catch {
            throw ProbeError("the server's descriptors for \(symbol) are unusable: \(error)")
        }
    }

    /// The method `name` (`package.Service/Method`, `/package.Service/Method`
    /// or `package.Service.Method`) of the server behind `transport`.
    static func method(named name: String, over transport: any ClientTransport, metadata: Metadata = [:]) async throws -> ReflectedMethod {
        let (service, method) = split(name)
        guard let schema = try await fetch(service, over: transport, metadata: metadata),
            let found = schema.methods(of: service)?.first(where: { $0.method.method == method })
        else {
            throw ProbeError("unknown method \(name): 'bigprobe list HOST:PORT SERVICE' shows a service's methods")
        }
        return found
    }

    /// The methods of `service`, if one of the pool's files declares it.
    func methods(of service: String) -> [ReflectedMethod]? {
        let name = Self.fullName(service)
        guard let declared = pool.files.lazy.flatMap(\.services).first(where: { $0.name == name }) else { return nil }
        return declared.methods.compactMap { method in
            guard let input = pool.message(named: method.inputType), let output = pool.message(named: method.outputType) else {
                return nil
            }
            let kind: RPCKind =
                switch (method.clientStreaming, method.serverStreaming) {
                case (false, false): .unary
                case (true, false): .clientStreaming
                case (false, true): .serverStreaming
                case (true, true): .bidirectionalStreaming
                }
            return ReflectedMethod(method: MethodDescriptor(service: name, method: method.name, kind: kind), input: input, output: output)
        }
    }

    /// `name` without a leading `/` or `.`.
    static func fullName(_ name: String) -> String {
        name.hasPrefix("/") || name.hasPrefix(".") ? String(name.dropFirst()) : name
    }

    /// A method name split into its service and method.
    static func split(_ name: String) -> (service: String, method: String) {
        var name = fullName(name)
        if !name.contains("/"), let dot = name.lastIndex(of: ".") {
            name.replaceSubrange(dot...dot, with: "/")
        }
        let parts = name.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        return (String(parts[0]), parts.count > 1 ? String(parts[1]) : "")
    }
}
