import Foundation
import NIOHTTP1
import Testing
@testable import SecureDrop

/// Request heads over the limits get the status that names the problem (`414`, `431`) as a
/// JSON error, the connection is closed, and the server goes on serving everyone else.
@Suite("Request head limits", .serialized)
struct RequestHeadLimitsTests {
    static let close = "Connection: close\r\n"

    static let oversized: [(name: String, raw: String, status: String)] = [
        ("a 9 KiB URL", "GET /healthz?q=\(String(repeating: "a", count: 9 * 1024)) HTTP/1.1\r\nHost: localhost\r\n\(close)\r\n", "414"),
        ("a 9 KiB file name", "GET /api/files/\(String(repeating: "a", count: 9 * 1024)) HTTP/1.1\r\nHost: localhost\r\n\(close)\r\n", "414"),
        ("a 20 KiB URL, past what the parser takes", "GET /healthz?q=\(String(repeating: "a", count: 20 * 1024)) HTTP/1.1\r\nHost: localhost\r\n\(close)\r\n", "431"),
        ("a 17 KiB header field", "GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Big: \(String(repeating: "v", count: 17 * 1024))\r\n\(close)\r\n", "431"),
        ("33 KiB of header fields", "GET /healthz HTTP/1.1\r\nHost: localhost\r\n"
            + (0..<3).map { "X-Part-\($0): \(String(repeating: "v", count: 11 * 1024))\r\n" }.joined() + "\(close)\r\n", "431"),
        ("101 header fields", "GET /healthz HTTP/1.1\r\nHost: localhost\r\n"
            + (0..<101).map { "X-H\($0): v\r\n" }.joined() + "\(close)\r\n", "431"),
    ]

    @Test("Oversized URLs and headers: 414 or 431 with a JSON error, then the connection closes", arguments: oversized)
    func refused(name: String, raw: String, status: String) async throws {
        try await TestServer.with { server in
            let output = try await server.sendRaw(raw)
            let statusLines = TestServer.statusLines(in: output)
            #expect(statusLines.count == 1 && statusLines[0].hasPrefix("HTTP/1.1 \(status) "), "\(name): \(statusLines)")
            #expect(output.contains(#""error":""#) && output.contains(#""message":""#), "\(name): \(output.prefix(400))")
            #expect(output.lowercased().contains("\r\nconnection: close\r\n"), "\(name)")
            #expect(output.lowercased().contains("\r\nstrict-transport-security: "), "\(name)")
            // Everyone else is still served.
            let health = try await server.withConnection { try await $0.request(.GET, "/healthz") }
            #expect(health.status == .ok)
        }
    }

    @Test("A URL just under the limit is served")
    func underTheLimit() async throws {
        try await TestServer.with { server in
            let path = "/healthz?q=" + String(repeating: "a", count: RequestHeadLimiter.maximumURLLength - 11)
            #expect(path.utf8.count == RequestHeadLimiter.maximumURLLength)
            let statusLines = try await server.rawStatusLines("GET \(path) HTTP/1.1\r\nHost: localhost\r\n\(Self.close)\r\n")
            #expect(statusLines == ["HTTP/1.1 200 OK"])
        }
    }

    @Test("Pipelined behind a good request, the refusal waits for that response to be complete")
    func pipelined() async throws {
        try await TestServer.with { server in
            let raw = "GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n"
                + "GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Big: \(String(repeating: "v", count: 17 * 1024))\r\n\r\n"
                + "GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n"
            let output = try await server.sendRaw(raw)
            let statusLines = TestServer.statusLines(in: output)
            #expect(statusLines == ["HTTP/1.1 200 OK", "HTTP/1.1 431 Request Header Fields Too Large"], "\(statusLines)")
            // The first response is whole before the refusal starts.
            let body = try #require(output.range(of: #"{"status":"ok""#))
            let refusal = try #require(output.range(of: "HTTP/1.1 431"))
            #expect(body.upperBound <= refusal.lowerBound)
        }
    }
}
