import Foundation
import NIOCore
import NIOHTTP1
import Testing
@testable import SecureDrop

@Suite("Access log")
struct AccessLogTests {
    @Test("One line per request, written when the body is done, never with query strings or headers")
    func accessLog() async throws {
        let logs = LogCapture()
        let secret = "s3cr3t-\(UUID().uuidString)"
        try await TestServer.with(logs: logs) { server in
            try await server.withConnection { connection in
                let ok = try await connection.request(.GET, "/healthz?token=\(secret)", headers: [
                    "Authorization": "Bearer \(secret)", "Cookie": "__Host-securedrop=\(secret)",
                ])
                #expect(ok.status == .ok)
                let missing = try await connection.request(.GET, "/nowhere")
                #expect(missing.status == .notFound)
                let streamed = try await connection.request(.GET, "/test/stream/1000000")
                #expect(streamed.body.readableBytes == 1_000_000)
            }
        }
        let requests = logs.all.filter { $0.contains(" request ") }
        #expect(requests.count == 3, "\(requests)")
        #expect(requests.contains { $0.contains("path=/healthz") && $0.contains("status=200") && $0.contains("outcome=complete") && $0.contains("peer=127.0.0.1") })
        #expect(requests.contains { $0.contains("path=/nowhere") && $0.contains("status=404") })
        #expect(requests.contains { $0.contains("path=/test/stream/1000000") && $0.contains("bytes=1000000") && $0.contains("outcome=complete") })
        #expect(!logs.all.contains { $0.contains(secret) }, "a secret reached the log")
    }
}
