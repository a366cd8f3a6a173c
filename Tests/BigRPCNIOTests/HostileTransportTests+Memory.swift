import BigRPC
import BigRPCCodec
import BigRPCProtos
import NIOCore
import Testing

@testable import BigRPCNIO

/// Memory held for an attacker goes back to the system once the attacker
/// has left (the red team's finding F2): the server trims glibc's heaps
/// when the request bytes it holds fall from a burst, and only then.
@Suite(.timeLimit(.minutes(1)))
struct HostileMemoryTests {
    @Test func memoryIsHandedBackAfterABurstOfHeldRequests() async throws {
        try await withTestServer(
            services: [ProbeService()],
            configure: {
                $0.memoryTrimInterval = .milliseconds(50)
                $0.memoryTrimMarks = .init(requestBytes: 1024 * 1024, openStreams: 1_000_000)
            }
        ) { server in
            #expect(server.server.memoryTrims == 0)
            // Twenty unary requests of 64 KiB each, none finished: 1.25 MiB held.
            let attacker = try await RawConnection(port: server.port)
            let message = [UInt8](repeating: 7, count: 64 * 1024)
            for index in 0..<20 {
                let id = UInt32(index * 2 + 1)
                try await attacker.open(id, ProbeService.echo.path)
                try await attacker.sendMessage(id, bytes: message, endStream: false)
            }
            // While it holds them, nothing is trimmed (a PING round trip
            // shows the server has read everything).
            try await attacker.send(Frame(type: .ping, streamID: 0, payload: ByteBuffer(bytes: [UInt8](repeating: 0, count: 8))))
            #expect(try await attacker.nextFrame()?.type == .ping)
            try await Task.sleep(for: .milliseconds(300))
            #expect(server.server.memoryTrims == 0)
            // It leaves: the bytes are released, and the memory handed back
            // (once, then once more a few samples later).
            await attacker.close()
            for _ in 0..<100 where server.server.memoryTrims == 0 {
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(server.server.memoryTrims >= 1)
        }
    }
}
