import BigRPC
import BigRPCNIO
import BigRPCProtos
import BigRPCStandardServices
import BigRPCTLS
import NIOCore
import Synchronization
import TLSTestSupport

/// A real BigRPC server (health and reflection only) on a free loopback
/// port, with TLS or without, for the length of a test.
struct TLSTestServer {
    let server: BigRPCServer
    let port: Int
    private let task: Task<Void, any Error>

    init(security: (any ServerConnectionSecurity)?, interceptors: [any ServerInterceptor] = []) async throws {
        var configuration = BigRPCServer.Configuration()
        configuration.host = "127.0.0.1"
        configuration.port = 0
        configuration.security = security
        let server = BigRPCServer(configuration: configuration)
        let rpcServer = RPCServer(
            services: StandardServices(serving: []).all,
            interceptors: interceptors
        )
        self.server = server
        task = Task { try await server.listen(rpcServer) }
        port = try await server.listeningAddress().port!
    }

    func stop() async throws {
        server.beginGracefulShutdown()
        try await task.value
    }
}

/// Runs `body` with fresh certificates and a server using them (plain TCP
/// when `tls` is false); both are removed afterwards.
func withTLSServer<R>(
    tls: Bool = true,
    clientCertificates: Bool = false,
    localhostOnly: Bool = false,
    handshakeTimeout: Duration = .seconds(10),
    interceptors: [any ServerInterceptor] = [],
    _ body: (TLSTestServer, TestCertificates) async throws -> R
) async throws -> R {
    let certificates = try await TestCertificates.make()
    defer { certificates.remove() }
    let security =
        tls
        ? try TLSServerSecurity(
            certificateChainFile: localhostOnly ? certificates.localhostCertificateFile : certificates.serverCertificateFile,
            privateKeyFile: localhostOnly ? certificates.localhostKeyFile : certificates.serverKeyFile,
            clientTrustRootsFile: clientCertificates ? certificates.caFile : nil,
            handshakeTimeout: handshakeTimeout
        )
        : nil
    let server = try await TLSTestServer(security: security, interceptors: interceptors)
    do {
        let result = try await body(server, certificates)
        try await server.stop()
        return result
    } catch {
        try? await server.stop()
        throw error
    }
}

/// One health check to `127.0.0.1:port` on a new connection with `security`.
func healthCheck(
    port: Int,
    host: String = "127.0.0.1",
    security: (any ClientConnectionSecurity)?,
    timeout: Duration = .seconds(30)
) async throws -> Bigrpc_Health_V1_HealthCheckResponse {
    var configuration = BigRPCClientTransport.Configuration()
    configuration.security = security
    let transport = BigRPCClientTransport(host: host, port: port, configuration: configuration)
    defer { Task { await transport.close() } }
    let health = Bigrpc_Health_V1_Health.Client(wrapping: RPCClient(transport: transport))
    return try await health.check(.init(), options: CallOptions(timeout: timeout))
}

/// The error a call failed with; fails the test when it succeeded.
func rpcError<T>(_ call: () async throws -> T) async -> RPCError? {
    do {
        _ = try await call()
        return nil
    } catch let error as RPCError {
        return error
    } catch {
        return RPCError(.unknown, "not an RPCError: \(error)")
    }
}

/// Records the TLS peer identity each call carried.
final class PeerIdentityRecorder: ServerInterceptor {
    let seen = Mutex<[TLSPeerIdentity?]>([])

    func intercept(context: ServerContext, next: @Sendable (ServerContext) async throws -> Void) async throws {
        seen.withLock { $0.append(context.values[TLSPeerIdentity.self]) }
        try await next(context)
    }
}
