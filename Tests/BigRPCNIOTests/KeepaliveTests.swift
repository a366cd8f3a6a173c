import BigRPC
import BigRPCTestingProtos
import Testing

@testable import BigRPCNIO

#if canImport(Glibc)
    import Glibc
#endif

/// The client's keepalive PINGs: a link whose server no longer answers is
/// dropped in seconds, and one whose server answers is left alone.
@Suite(.timeLimit(.minutes(1)))
struct KeepaliveTests {
    typealias Request = Bigrpc_Testing_V1_SimpleRequest
    typealias Response = Bigrpc_Testing_V1_SimpleResponse

    static func configuration(interval: Duration, timeout: Duration) -> BigRPCClientTransport.Configuration {
        var configuration = BigRPCClientTransport.Configuration()
        configuration.keepalive = .init(interval: interval, timeout: timeout)
        return configuration
    }

    @Test func aCallToAServerThatStoppedAnsweringFailsWithinTheKeepaliveTimeout() async throws {
        // A listening socket nobody accepts from: the kernel completes the
        // TCP handshake, then nothing ever answers, as with a hung host.
        let silent = try SilentListener()
        defer { silent.close() }
        let transport = BigRPCClientTransport(
            host: "127.0.0.1", port: silent.port,
            configuration: Self.configuration(interval: .milliseconds(100), timeout: .milliseconds(300)))
        let client = RPCClient(transport: transport)
        let started = ContinuousClock.now
        let error = await #expect(throws: RPCError.self) {
            // The deadline only bounds the test: without keepalive this call
            // would wait for it (DEADLINE_EXCEEDED), not fail UNAVAILABLE.
            _ = try await client.unary(
                request: Request(payload: [1]), method: ProbeService.echo, responseType: Response.self,
                options: CallOptions(timeout: .seconds(20))
            ).message
        }
        // UNAVAILABLE, not DEADLINE_EXCEEDED: keepalive closed the link. The
        // message names keepalive when the call was on the connection; on a
        // stalled machine keepalive can close each new connection before the
        // call gets onto it, and the transport then finds no usable one.
        #expect(error?.code == .unavailable, "\(String(describing: error))")
        let message = error?.message ?? ""
        #expect(message.contains("keepalive") || message.contains("no usable connection"), "\(message)")
        #expect(ContinuousClock.now - started < .seconds(20))
        await transport.close()
    }

    @Test func aServerThatAnswersKeepsTheConnection() async throws {
        try await withTestServer(services: [ProbeService()]) { server in
            let transport = BigRPCClientTransport(
                host: "127.0.0.1", port: server.port,
                configuration: Self.configuration(interval: .milliseconds(50), timeout: .seconds(2)))
            let client = RPCClient(transport: transport)
            // ~100 PINGs go out while the server sleeps 5 s: were one reply
            // not matched to its PING, the connection would close after 2 s
            // and this call fail.
            let slept = try await client.unary(
                request: Request(responseSize: 5_000), method: ProbeService.sleep, responseType: Response.self)
            _ = try slept.message
            let echoed = try await client.unary(request: Request(payload: [7]), method: ProbeService.echo, responseType: Response.self)
            #expect(try echoed.message.payload == [7])
            await transport.close()
        }
    }

    @Test func theTimeoutIsReportedWithItsDuration() {
        let timeout = KeepaliveTimeout(timeout: .milliseconds(1_500))
        #expect(timeout.description.hasPrefix("no reply to a keepalive PING within 1500 ms"))
    }
}

/// A TCP socket listening on a free loopback port that never accepts.
struct SilentListener {
    let descriptor: Int32
    let port: Int

    init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw RPCError(.internal, "socket() failed") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0
            }
        }
        guard bound, listen(descriptor, 8) == 0 else {
            Glibc.close(descriptor)
            throw RPCError(.internal, "bind() or listen() failed")
        }
        self.descriptor = descriptor
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    func close() {
        _ = Glibc.close(descriptor)
    }
}
