import Foundation
import NIOCore
import NIOHTTP1
import Synchronization
import Testing
@testable import SecureDrop

/// Large bodies through the TLS layer: intact (SHA-256 compared) and streamed, never held
/// whole. Memory itself is measured by the benchmarks: tests share one process, so its RSS
/// says little about any one transfer. Streaming is proven by observing the server while
/// the client is still mid-transfer.
@Suite("TLS streaming", .serialized)
struct TLSStreamingTests {
    static let size = 256 * 1024 * 1024

    @Test("A 256 MiB response arrives intact over one keep-alive connection")
    func largeResponse() async throws {
        try await TestServer.with { server in
            let expected = DeterministicBytes(count: Self.size).sha256
            try await server.withConnection { connection in
                let head = try await connection.send(.GET, "/test/stream/\(Self.size)")
                #expect(head.status == .ok)
                #expect(head.headers["Content-Length"] == ["\(Self.size)"])
                let hasher = SHA256Hasher()
                var received = 0
                while let chunk = try await connection.nextBodyChunk() {
                    hasher.update(chunk)
                    received += chunk.readableBytes
                }
                #expect(received == Self.size)
                #expect(hasher.finishHex() == expected)
                // The connection is still usable afterwards (keep-alive).
                #expect(try await connection.request(.GET, "/healthz").status == .ok)
            }
        }
    }

    @Test("A 256 MiB request body arrives intact; the handler consumes it while it is still being sent")
    func largeRequest() async throws {
        try await TestServer.with { server in
            let source = DeterministicBytes(count: Self.size)
            let expected = source.sha256
            try await server.withConnection { connection in
                let sink = UUID().uuidString
                let head = try await connection.send(.PUT, "/test/sink", headers: ["Content-Length": "\(Self.size)", "X-Sink-Id": sink]) { writer in
                    var sent = 0
                    for chunk in source {
                        try await writer.write(chunk)
                        sent += chunk.readableBytes
                        if sent == 64 * 1024 * 1024 {
                            // Halfway through sending, the handler must already have most of it:
                            // a server that buffered the body before the route saw it would not.
                            var consumed = 0
                            for _ in 0..<250 where consumed < 32 * 1024 * 1024 {
                                try await Task.sleep(for: .milliseconds(20))
                                consumed = TestRoutes.sunkBytes(id: sink)
                            }
                            #expect(consumed >= 32 * 1024 * 1024, "the handler had seen \(consumed) bytes of \(sent) sent")
                        }
                    }
                }
                #expect(head.status == .ok)
                let report = try JSONSerialization.jsonObject(with: Data(try await connection.collectBody(limit: 4096).readableBytesView)) as? [String: Any]
                #expect(report?["bytes"] as? Int == Self.size)
                #expect(report?["sha256"] as? String == expected)
                let largest = report?["largestChunk"] as? Int ?? .max
                #expect(largest <= 1024 * 1024, "the server held a \(largest)-byte piece")
            }
        }
    }

    @Test("Backpressure: a server never runs far ahead of a client that stops reading")
    func slowReader() async throws {
        try await TestServer.with { server in
            // A fixed 128 KiB receive buffer: loopback auto-tuning could otherwise park 32 MiB
            // in the kernel and blur what the server itself holds.
            try await server.withConnection(receiveBufferSize: 128 * 1024) { connection in
                let head = try await connection.send(.GET, "/test/stream/\(Self.size)")
                #expect(head.status == .ok)
                _ = try await connection.nextBodyChunk()
                try await Task.sleep(for: .seconds(1))
                // The server's socket send buffer (≤ 4 MiB here) and the two chunks WritePacer
                // lets through are expected. Without pacing the response writer ran up to
                // 80 MiB ahead on a loaded machine, before the event loop could report the
                // channel unwritable; a server that queued the response would be at 256 MiB.
                let ahead = TestRoutes.streamedBytes.load(ordering: .relaxed)
                #expect(ahead < 16 * 1024 * 1024, "the server produced \(ahead / 1024 / 1024) MiB for a reader that took one chunk")
            }
        }
    }

    @Test("A client that vanishes mid-response: no crash, every TLS session freed, others served")
    func clientVanishesMidResponse() async throws {
        try await TestServer.with { server in
            try await server.withConnection { connection in
                let head = try await connection.send(.GET, "/test/stream/\(Self.size)")
                #expect(head.status == .ok)
                var received = 0
                while received < 1024 * 1024, let chunk = try await connection.nextBodyChunk() {
                    received += chunk.readableBytes
                }
                // Leaving the closure closes the connection with ~99 MiB unsent.
            }
            let status = try await server.withConnection { try await $0.request(.GET, "/healthz").status }
            #expect(status == .ok)
            #expect(await server.waitForNoLiveConnections() == 0, "TLS sessions still allocated")
        }
    }

    @Test("A client that vanishes mid-upload: the handler sees an error, the session is freed")
    func clientVanishesMidUpload() async throws {
        try await TestServer.with { server in
            struct GaveUp: Error {}
            await #expect(throws: GaveUp.self) {
                try await server.withConnection { connection in
                    _ = try await connection.send(.PUT, "/test/sink", headers: ["Content-Length": "\(Self.size)"]) { writer in
                        var sent = 0
                        for chunk in DeterministicBytes(count: Self.size) {
                            try await writer.write(chunk)
                            sent += chunk.readableBytes
                            // Leaving withConnection here closes the connection mid-body.
                            if sent >= 4 * 1024 * 1024 { throw GaveUp() }
                        }
                    }
                }
            }
            #expect(await server.waitForNoLiveConnections() == 0, "TLS sessions still allocated")
            let status = try await server.withConnection { try await $0.request(.GET, "/healthz").status }
            #expect(status == .ok)
        }
    }
}
