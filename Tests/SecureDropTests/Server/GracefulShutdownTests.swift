import Foundation
import NIOCore
import NIOHTTP1
import Testing
@testable import SecureDrop

/// SIGTERM semantics, driven through the service group's graceful shutdown.
@Suite("Graceful shutdown", .serialized)
struct GracefulShutdownTests {
    static let size = 64 * 1024 * 1024

    @Test("An in-flight download finishes intact; new connections are refused meanwhile")
    func inFlightTransferFinishes() async throws {
        try await TestServer.with { server in
            let expected = DeterministicBytes(count: Self.size).sha256
            let stopped: Task<Duration?, Never> = try await server.withConnection { connection in
                let head = try await connection.send(.GET, "/test/stream/\(Self.size)")
                #expect(head.status == .ok)
                let hasher = SHA256Hasher()
                var received = 0
                if let first = try await connection.nextBodyChunk() {
                    hasher.update(first)
                    received += first.readableBytes
                }
                // Generous: a debug build streaming 64 MiB on a loaded 2-core machine can take a while.
                let stopping = Task { await server.shutDownGracefully(timeout: .seconds(60)) }

                // The listener closes: a new connection cannot be made any more.
                var refused = false
                for _ in 0..<100 where !refused {
                    try await Task.sleep(for: .milliseconds(20))
                    refused = (try? await server.withConnection { try await $0.request(.GET, "/healthz") }) == nil
                }
                #expect(refused, "the server still accepted connections during shutdown")

                while let chunk = try await connection.nextBodyChunk() {
                    hasher.update(chunk)
                    received += chunk.readableBytes
                }
                #expect(received == Self.size)
                #expect(hasher.finishHex() == expected)
                return stopping
            }
            let elapsed = await stopped.value
            #expect(elapsed != nil, "the server did not stop after the transfer finished")
        }
    }

    @Test("A transfer that outlasts the grace period is cut off and the server stops")
    func gracePeriodIsEnforced() async throws {
        try await TestServer.with(configure: { $0.shutdownGracePeriod = .seconds(1) }) { server in
            try await server.withConnection { connection in
                let head = try await connection.send(.GET, "/test/stream/\(Self.size)")
                #expect(head.status == .ok)
                _ = try await connection.nextBodyChunk()
                // This client stops reading: the server's writes stall on a full socket.
                let elapsed = await server.shutDownGracefully(timeout: .seconds(10))
                let stoppedIn = try #require(elapsed, "the server did not stop")
                #expect(stoppedIn >= .milliseconds(900))
                #expect(stoppedIn < .seconds(8))
            }
        }
    }
}
