public import BigRPC
public import BigRPCCodec

/// One method the HTTP edge serves: `POST /<package>.<Service>/<Method>`,
/// with the message types to convert its JSON with.
public struct HTTPRoute: Sendable {
    /// The BigRPC method the route calls.
    public let method: MethodDescriptor
    /// The request message's type.
    public let input: ProtoMessageDescriptor
    /// The response message's type.
    public let output: ProtoMessageDescriptor
}

/// The routes of a set of services: every unary and server-streaming method
/// declared in the `.proto` files their generated code (or
/// ``ForwardingService``) carries. Methods that stream requests have no
/// route: HTTP/1.1 cannot carry them well.
public struct HTTPRouteTable: Sendable {
    /// Routes by path (`/bigshop.catalog.v1.CatalogService/ListProducts`).
    public let routes: [String: HTTPRoute]
    /// Paths of methods that exist but stream requests.
    public let requestStreamingPaths: Set<String>

    /// The routes of `services` (as given to `RPCServer`): the methods of
    /// every service they register whose `.proto` file they carry.
    public init(services: [any RegistrableRPCService]) throws(HTTPRouteError) {
        var router = RPCRouter()
        for service in services { router.register(service) }
        let served = Set(router.services)
        var seen: Set<[UInt8]> = []
        var files: [[UInt8]] = []
        let forwarded = services.compactMap { $0 as? ForwardingService }.flatMap(\.fileDescriptorProtos)
        let generated = services.compactMap { $0 as? any ProtoReflectableService }.flatMap { type(of: $0).fileDescriptorProtos }
        for bytes in generated + forwarded where seen.insert(bytes).inserted { files.append(bytes) }
        let pool: ProtoDescriptorPool
        do {
            pool = try ProtoDescriptorPool(fileDescriptorProtos: files)
        } catch {
            throw HTTPRouteError("the services' descriptors are unusable: \(error)")
        }
        var routes: [String: HTTPRoute] = [:]
        var requestStreaming: Set<String> = []
        for file in pool.files {
            for service in file.services {
                let serviceName = service.name  // already the full name
                guard served.contains(serviceName) else { continue }
                for method in service.methods {
                    let kind: RPCKind =
                        switch (method.clientStreaming, method.serverStreaming) {
                        case (false, false): .unary
                        case (false, true): .serverStreaming
                        case (true, false): .clientStreaming
                        case (true, true): .bidirectionalStreaming
                        }
                    let descriptor = MethodDescriptor(service: serviceName, method: method.name, kind: kind)
                    guard !method.clientStreaming else {
                        requestStreaming.insert(descriptor.path)
                        continue
                    }
                    guard let input = pool.message(named: Self.typeName(method.inputType)),
                        let output = pool.message(named: Self.typeName(method.outputType))
                    else {
                        throw HTTPRouteError("\(descriptor.path): its message types are not in the files served")
                    }
                    routes[descriptor.path] = HTTPRoute(method: descriptor, input: input, output: output)
                }
            }
        }
        self.routes = routes
        self.requestStreamingPaths = requestStreaming
    }

    /// `.pkg.Message` as descriptors spell it, without the leading dot.
    private static func typeName(_ name: String) -> String {
        name.hasPrefix(".") ? String(name.dropFirst()) : name
    }
}

/// Why ``HTTPRouteTable`` could not be built from a set of services.
public struct HTTPRouteError: Error, CustomStringConvertible {
    public let description: String

    init(_ description: String) { self.description = description }
}
