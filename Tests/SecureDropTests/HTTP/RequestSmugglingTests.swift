import Foundation
import Testing
@testable import SecureDrop

/// Requests no well-behaved client sends, written byte for byte over TLS (with
/// `openssl s_client`): ambiguous framing must be refused, never interpreted, so that no
/// second request can hide inside the first's body.
@Suite("Request smuggling and malformed framing", .serialized)
struct RequestSmugglingTests {
    static let attacks: [(String, String)] = [
        ("Content-Length with Transfer-Encoding", "POST /api/login HTTP/1.1\r\nHost: localhost\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n0\r\n\r\nGET /api/me HTTP/1.1\r\nHost: localhost\r\n\r\n"),
        ("two different Content-Lengths", "POST /api/login HTTP/1.1\r\nHost: localhost\r\nContent-Length: 4\r\nContent-Length: 40\r\nConnection: close\r\n\r\nabcd"),
        ("obsolete header folding", "GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-A: b\r\n c\r\nConnection: close\r\n\r\n"),
        ("a space before the colon", "GET /healthz HTTP/1.1\r\nHost: localhost\r\nContent-Length : 5\r\nConnection: close\r\n\r\n"),
        ("an obfuscated Transfer-Encoding", "POST /api/login HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: xchunked\r\nConnection: close\r\n\r\n0\r\n\r\n"),
        ("a bare LF line ending in the request line", "GET /healthz HTTP/1.1\nHost: localhost\r\nConnection: close\r\n\r\n"),
        ("a NUL byte in a header", "GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-A: a\u{0}b\r\nConnection: close\r\n\r\n"),
    ]

    @Test("Ambiguous or malformed framing is answered with one 400 and the connection closed")
    func refused() async throws {
        try await TestServer.with { server in
            for (name, raw) in Self.attacks {
                let lines = try await server.rawStatusLines(raw)
                #expect(lines.count == 1, "\(name): \(lines)")
                #expect(lines.first?.hasPrefix("HTTP/1.1 400") == true, "\(name): \(lines)")
            }
            // The same path, framed properly, works: the refusals are about framing.
            #expect(try await server.rawStatusLines("GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n") == ["HTTP/1.1 200 OK"])
        }
    }

    @Test("A request with Connection: close gets a response that says the connection closes")
    func connectionCloseEchoed() async throws {
        try await TestServer.with { server in
            let output = try await server.sendRaw("GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
            #expect(output.lowercased().contains("\r\nconnection: close\r\n"), "\(output)")
        }
    }
}
