import NIOCore
import NIOPosix

/// A bare TCP exchange, no protocol: connects to `127.0.0.1:port`, sends
/// `bytes`, and returns everything the server sends until it closes the
/// connection, or until `timeout` passes (then `closed` is false).
func rawExchange(port: Int, send bytes: [UInt8], timeout: Duration) async throws -> (bytes: [UInt8], closed: Bool) {
    let connection = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        .connect(host: "127.0.0.1", port: port) { channel in
            channel.eventLoop.makeCompletedFuture {
                try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
            }
        }
    let channel = connection.channel
    return try await connection.executeThenClose { inbound, outbound in
        try await outbound.write(ByteBuffer(bytes: bytes))
        return try await withThrowingTaskGroup(of: (bytes: [UInt8], closed: Bool)?.self) { group in
            group.addTask {
                var received: [UInt8] = []
                do {
                    for try await buffer in inbound { received += buffer.readableBytesView }
                } catch {
                    // A reset ends the connection too.
                }
                return (received, true)
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                try? await channel.close()  // ends the reading task
                return nil
            }
            let first = try await group.next() ?? nil
            group.cancelAll()
            return first ?? ([], false)
        }
    }
}
