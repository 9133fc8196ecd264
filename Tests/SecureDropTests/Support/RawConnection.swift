import NIOCore
import NIOPosix

/// A plain TCP connection for sending what no well-behaved TLS client would: plaintext HTTP,
/// garbage, a handshake cut short.
enum RawConnection {
    struct Outcome {
        /// Everything the server sent before closing (or before `timeout`).
        var received: ByteBuffer
        /// True when the server closed the connection within `timeout`.
        var closedByServer: Bool
        var elapsed: Duration
    }

    /// Connects, sends `bytes`, then reads until the server closes or `timeout` passes.
    static func exchange(port: Int, sending bytes: [UInt8], timeout: Duration = .seconds(5)) async throws -> Outcome {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        let start = ContinuousClock.now
        return try await channel.executeThenClose { inbound, outbound in
            if !bytes.isEmpty { try await outbound.write(ByteBuffer(bytes: bytes)) }
            return try await withThrowingTaskGroup(of: Outcome?.self) { group in
                group.addTask {
                    var received = ByteBuffer()
                    do {
                        for try await var chunk in inbound { received.writeBuffer(&chunk) }
                    } catch {
                        // A reset is also the server closing on us.
                    }
                    return Outcome(received: received, closedByServer: true, elapsed: ContinuousClock.now - start)
                }
                group.addTask {
                    try await Task.sleep(for: timeout)
                    return nil
                }
                let first = try await group.next()!
                group.cancelAll()
                return first ?? Outcome(received: ByteBuffer(), closedByServer: false, elapsed: ContinuousClock.now - start)
            }
        }
    }
}
