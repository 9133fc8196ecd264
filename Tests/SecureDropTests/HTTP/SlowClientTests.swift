import Foundation
import NIOCore
import NIOHTTP1
import Testing
@testable import SecureDrop

/// Slowloris: clients that open a connection and then send their request too slowly, or
/// stop half-way, must not hold it forever, and others must still be served meanwhile.
@Suite("Slow clients", .serialized)
struct SlowClientTests {
    /// Sends `raw` over TLS and keeps the connection open until the server closes it, or
    /// `limit` seconds pass (then `timeout` exits 124).
    private func holdOpen(_ server: TestServer, _ raw: String, limit: Int = 15) async throws -> (status: Int32, seconds: Double) {
        let start = ContinuousClock.now
        let result = try await Command.run(
            "timeout", ["\(limit)", "openssl", "s_client", "-quiet", "-ign_eof", "-connect", "127.0.0.1:\(server.port)", "-servername", "localhost"],
            input: Data(raw.utf8)
        )
        let elapsed = ContinuousClock.now - start
        return (result.status, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }

    @Test("An unfinished request head, or a body that stops, is closed after the idle timeout", arguments: [
        "GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Slow: ",
        // The login route reads its body before answering: the body stops half-way.
        "POST /api/login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"username\":",
    ])
    func closedAfterIdleTimeout(raw: String) async throws {
        try await TestServer.with(configure: { $0.idleTimeout = .seconds(1) }) { server in
            async let slow = holdOpen(server, raw)
            // Meanwhile the server answers others.
            try await Task.sleep(for: .milliseconds(300))
            let health = try await server.withConnection { try await $0.request(.GET, "/healthz") }
            #expect(health.status == .ok)
            let (status, seconds) = try await slow
            #expect(status != 124, "the server kept a stalled connection open for 15 s")
            #expect(seconds < 10)
            #expect(server.storedFiles().isEmpty)
        }
    }
}
