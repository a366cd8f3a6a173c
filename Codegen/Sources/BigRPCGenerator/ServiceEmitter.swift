import ProtocPluginProtos

/// Emits, for one service, a namespace enum holding the method descriptors,
/// the `ServiceProtocol` servers implement (one `async` method per RPC) with
/// its registration, and a typed `Client`.
struct ServiceEmitter {
    let service: Google_Protobuf_ServiceDescriptorProto
    let package: String
    let types: TypeIndex
    let comments: SourceComments
    let path: [Int32]
    /// Serialized descriptors of the service's file and of its imports.
    let fileDescriptorProtos: [[UInt8]]

    private struct MethodModel {
        var protoName: String
        /// lowerCamelCase Swift name, e.g. `unaryCall`.
        var swiftName: String
        var input: String
        var output: String
        var kind: String
        var comment: String?
    }

    func emit(into out: inout CodeWriter) throws(GeneratorError) {
        let name = service.name ?? ""
        let fullName = package.isEmpty ? name : package + "." + name
        let namespace = Naming.packagePrefix(package) + name
        var methods: [MethodModel] = []
        for (offset, method) in service.method.enumerated() {
            let kind =
                switch (method.clientStreaming ?? false, method.serverStreaming ?? false) {
                case (false, false): "unary"
                case (true, false): "clientStreaming"
                case (false, true): "serverStreaming"
                case (true, true): "bidirectionalStreaming"
                }
            let methodName = method.name ?? ""
            methods.append(
                MethodModel(
                    protoName: methodName,
                    swiftName: Naming.escaped(lowerFirst(methodName)),
                    input: try types.message(method.inputType ?? "").swiftName,
                    output: try types.message(method.outputType ?? "").swiftName,
                    kind: kind,
                    comment: comments[path + [SourceComments.serviceMethod, Int32(offset)]]
                ))
        }

        out.docComment(comments[path])
        out.line("///")
        out.line("/// `\(fullName)`: implement ``\(namespace)/ServiceProtocol`` to serve it,")
        out.line("/// call it through ``\(namespace)/Client``.")
        out.block("public enum \(namespace) {") { out in
            out.line("/// The fully qualified service name.")
            out.line("public static let serviceName = \"\(fullName)\"")
            out.line()
            emitDescriptors(methods, into: &out)
            out.line()
            emitProtocol(methods, into: &out)
            out.line()
            emitClient(methods, into: &out)
        }
        out.line()
        emitRegistration(methods, namespace: namespace, into: &out)
    }

    private func lowerFirst(_ name: String) -> String {
        Naming.lowerCamel(name.prefix(1).lowercased() + name.dropFirst())
    }

    private func emitDescriptors(_ methods: [MethodModel], into out: inout CodeWriter) {
        out.line("/// The service's methods.")
        out.block("public enum Method {") { out in
            for method in methods {
                out.line("public static let \(method.swiftName) = MethodDescriptor(")
                out.line("    service: serviceName, method: \"\(method.protoName)\", kind: .\(method.kind))")
            }
            out.line()
            out.line("public static let all: [MethodDescriptor] = [" + methods.map(\.swiftName).joined(separator: ", ") + "]")
        }
        out.line()
        out.line("/// Serialized `google.protobuf.FileDescriptorProto`s of the file declaring")
        out.line("/// the service, then of every file it imports: what reflection serves.")
        out.block("public static let fileDescriptorProtos: [[UInt8]] = [", close: "]") { out in
            for bytes in fileDescriptorProtos {
                out.line("\"\(Self.literal(bytes))\".unicodeScalars.map { UInt8($0.value) },")
            }
        }
    }

    /// A Swift string literal whose scalars are `bytes` (each below 256):
    /// printable ASCII as itself, the rest escaped.
    static func literal(_ bytes: [UInt8]) -> String {
        var text = ""
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): text += "\\" + String(UnicodeScalar(byte))
            case 0x20..<0x7F: text.unicodeScalars.append(UnicodeScalar(byte))
            default: text += "\\u{" + String(byte, radix: 16) + "}"
            }
        }
        return text
    }

    private func emitProtocol(_ methods: [MethodModel], into out: inout CodeWriter) {
        out.line("/// A server of the service: one `async` method per RPC. Throw `RPCError` to")
        out.line("/// choose the status; any other error reaches the client as INTERNAL.")
        out.block("public protocol ServiceProtocol: RegistrableRPCService, ProtoReflectableService {") { out in
            for (offset, method) in methods.enumerated() {
                if offset > 0 { out.line() }
                out.docComment(method.comment)
                switch method.kind {
                case "unary":
                    out.line("func \(method.swiftName)(request: \(method.input), context: ServerContext) async throws -> \(method.output)")
                case "serverStreaming":
                    out.line("func \(method.swiftName)(")
                    out.line("    request: \(method.input),")
                    out.line("    response: RPCWriter<\(method.output)>,")
                    out.line("    context: ServerContext")
                    out.line(") async throws")
                case "clientStreaming":
                    out.line("func \(method.swiftName)(")
                    out.line("    requests: RPCAsyncSequence<\(method.input)>,")
                    out.line("    context: ServerContext")
                    out.line(") async throws -> \(method.output)")
                default:
                    out.line("func \(method.swiftName)(")
                    out.line("    requests: RPCAsyncSequence<\(method.input)>,")
                    out.line("    response: RPCWriter<\(method.output)>,")
                    out.line("    context: ServerContext")
                    out.line(") async throws")
                }
            }
        }
    }

    private func emitRegistration(_ methods: [MethodModel], namespace: String, into out: inout CodeWriter) {
        out.block("extension \(namespace).ServiceProtocol {") { out in
            out.line("public static var fileDescriptorProtos: [[UInt8]] { \(namespace).fileDescriptorProtos }")
            out.line()
            out.block("public func registerMethods(with router: inout RPCRouter) {") { out in
                for method in methods {
                    let descriptor = "\(namespace).Method.\(method.swiftName)"
                    switch method.kind {
                    case "unary":
                        out.block("router.registerUnary(\(descriptor)) { request, context in") { out in
                            out.line("try await self.\(method.swiftName)(request: request, context: context)")
                        }
                    case "serverStreaming":
                        out.block("router.registerServerStreaming(\(descriptor)) { request, response, context in") { out in
                            out.line("try await self.\(method.swiftName)(request: request, response: response, context: context)")
                        }
                    case "clientStreaming":
                        out.block("router.registerClientStreaming(\(descriptor)) { requests, context in") { out in
                            out.line("try await self.\(method.swiftName)(requests: requests, context: context)")
                        }
                    default:
                        out.block("router.registerBidirectionalStreaming(\(descriptor)) { requests, response, context in") { out in
                            out.line("try await self.\(method.swiftName)(requests: requests, response: response, context: context)")
                        }
                    }
                }
            }
        }
    }

    private func emitClient(_ methods: [MethodModel], into out: inout CodeWriter) {
        out.line("/// A typed client. Every error it throws is an `RPCError`.")
        out.block("public struct Client: Sendable {") { out in
            out.line("public let rpcClient: RPCClient")
            out.line()
            out.block("public init(wrapping rpcClient: RPCClient) {") { out in
                out.line("self.rpcClient = rpcClient")
            }
            for method in methods {
                out.line()
                let descriptor = "Method.\(method.swiftName)"
                switch method.kind {
                case "unary":
                    out.docComment(method.comment)
                    out.line("public func \(method.swiftName)(")
                    out.line("    _ request: \(method.input),")
                    out.line("    metadata: Metadata = [:],")
                    out.line("    options: CallOptions = .defaults")
                    out.block(") async throws -> \(method.output) {") { out in
                        out.line("try await \(method.swiftName)(request, metadata: metadata, options: options) { try $0.message }")
                    }
                    out.line()
                    out.line("/// `\(method.protoName)`, handing the whole response (message or error, and")
                    out.line("/// trailing metadata) to `handle`.")
                    out.line("public func \(method.swiftName)<Result: Sendable>(")
                    out.line("    _ request: \(method.input),")
                    out.line("    metadata: Metadata = [:],")
                    out.line("    options: CallOptions = .defaults,")
                    out.line("    onResponse handle: (ClientResponse<\(method.output)>) async throws -> Result")
                    out.block(") async throws -> Result {") { out in
                        out.line("try await handle(rpcClient.unary(")
                        out.line("    request: request, method: \(descriptor), responseType: \(method.output).self,")
                        out.line("    metadata: metadata, options: options))")
                    }
                case "serverStreaming":
                    out.docComment(method.comment)
                    out.line("public func \(method.swiftName)<Result: Sendable>(")
                    out.line("    _ request: \(method.input),")
                    out.line("    metadata: Metadata = [:],")
                    out.line("    options: CallOptions = .defaults,")
                    out.line("    onResponse handle: (RPCResponseStream<\(method.output)>) async throws -> Result")
                    out.block(") async throws -> Result {") { out in
                        out.line("try await rpcClient.serverStreaming(")
                        out.line("    request: request, method: \(descriptor), responseType: \(method.output).self,")
                        out.line("    metadata: metadata, options: options, body: handle)")
                    }
                case "clientStreaming":
                    out.docComment(method.comment)
                    out.line("public func \(method.swiftName)(")
                    out.line("    metadata: Metadata = [:],")
                    out.line("    options: CallOptions = .defaults,")
                    out.line("    requests: (RPCWriter<\(method.input)>) async throws -> Void")
                    out.block(") async throws -> \(method.output) {") { out in
                        out.line("try await \(method.swiftName)(metadata: metadata, options: options, requests: requests) { try $0.message }")
                    }
                    out.line()
                    out.line("/// `\(method.protoName)`, handing the whole response (message or error, and")
                    out.line("/// trailing metadata) to `handle`.")
                    out.line("public func \(method.swiftName)<Result: Sendable>(")
                    out.line("    metadata: Metadata = [:],")
                    out.line("    options: CallOptions = .defaults,")
                    out.line("    requests: (RPCWriter<\(method.input)>) async throws -> Void,")
                    out.line("    onResponse handle: (ClientResponse<\(method.output)>) async throws -> Result")
                    out.block(") async throws -> Result {") { out in
                        out.line("try await handle(rpcClient.clientStreaming(")
                        out.line("    method: \(descriptor), requestType: \(method.input).self, responseType: \(method.output).self,")
                        out.line("    metadata: metadata, options: options, requests: requests))")
                    }
                default:
                    out.docComment(method.comment)
                    out.line("public func \(method.swiftName)<Result: Sendable>(")
                    out.line("    metadata: Metadata = [:],")
                    out.line("    options: CallOptions = .defaults,")
                    out.line("    body: (RequestStreamWriter<\(method.input)>, RPCResponseStream<\(method.output)>) async throws -> Result")
                    out.block(") async throws -> Result {") { out in
                        out.line("try await rpcClient.bidirectionalStreaming(")
                        out.line("    method: \(descriptor), requestType: \(method.input).self, responseType: \(method.output).self,")
                        out.line("    metadata: metadata, options: options, body: body)")
                    }
                }
            }
        }
    }
}
