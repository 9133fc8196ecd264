import Foundation
import NIOCore
import NIOHTTP1
import Testing
@testable import SecureDrop

/// Every route that takes a file name, attacked with every spelling of "go up a directory"
/// that has broken a file server: raw and percent-encoded, double-encoded, backslashes, NUL,
/// overlong UTF-8, and Unicode look-alikes of the dot and the slash. Canary files sit next to
/// the data directory and inside it (beside the database, outside the blob store): no answer
/// may contain them or the database, and they must survive the DELETEs.
@Suite("Path traversal on every route that takes a name")
struct PathTraversalTests {
    static let canary = "CANARY-\(UUID().uuidString)"

    /// Each spelling is put in place of `<name>` in the route, as is.
    static let names = [
        "../secret.txt", "..%2fsecret.txt", "..%2Fsecret.txt", "%2e%2e%2fsecret.txt", "%2e%2e/secret.txt",
        "..%252fsecret.txt", "%252e%252e%252fsecret.txt", "..%5csecret.txt", "..\\secret.txt", "%2e%2e%5csecret.txt",
        "....%2f%2fsecret.txt", "..%2f..%2fsecret.txt", "%2fetc%2fpasswd", "%2e%2e", "..", ".",
        "secret.txt%00.png", "%00", "..%00%2fsecret.txt",
        "%c0%ae%c0%ae%2fsecret.txt", "..%c0%afsecret.txt", "..%e0%80%afsecret.txt",  // overlong UTF-8
        "%e2%80%a4%e2%80%a4%2fsecret.txt", "%ef%bc%8e%ef%bc%8e%ef%bc%8fsecret.txt",  // U+2024, fullwidth . and /
        "..%e2%88%95secret.txt", "..%ef%bc%bcsecret.txt",  // U+2215 division slash, fullwidth backslash
        "securedrop.sqlite", "..%2fdata%2fsecuredrop.sqlite", "blobs", "blobs%2f00", "tmp",
    ]
    static let routes: [(HTTPMethod, String)] = [
        (.GET, "/api/files/"), (.HEAD, "/api/files/"), (.DELETE, "/api/files/"), (.GET, "/api/uploads/"),
        (.GET, "/uploads/"), (.GET, "/open/"), (.GET, "/raw/"), (.POST, "/delete/"),
    ]

    @Test("No spelling of a name reaches a file outside the store, on any route")
    func traversal() async throws {
        try await TestServer.with { server in
            let outside = server.directory.appendingPathComponent("secret.txt").path
            let beside = server.server.configuration.dataDirectory + "/secret.txt"
            for path in [outside, beside] {
                try Data(Self.canary.utf8).write(to: URL(fileURLWithPath: path))
            }
            // Same-origin, as a browser would send it, so the web routes' Origin check lets the
            // request reach the name handling.
            var headers = try await server.authorization("alice")
            headers.add(name: "Host", value: "localhost:\(server.port)")
            headers.add(name: "Origin", value: "https://localhost:\(server.port)")
            // A real file, so that a route that resolved names loosely would have something to find.
            let put = try await server.withConnection { connection in
                try await connection.request(.PUT, "/api/files/secret.txt", headers: headers, body: ByteBuffer(string: "stored"))
            }
            #expect(put.status == .created)
            for (method, route) in Self.routes {
                for name in Self.names {
                    let target = route + name
                    do {
                        // One connection each: the parser's refusals close the connection.
                        let response = try await server.withConnection { try await $0.request(method, target, headers: headers) }
                        let body = String(buffer: response.body)
                        #expect([400, 403, 404].contains(Int(response.status.code)), "\(method) \(target): \(response.status)")
                        #expect(!body.contains(Self.canary) && !body.contains("SQLite format 3"), "\(method) \(target) leaked")
                    } catch {
                        // Closing the connection is a refusal too.
                    }
                }
            }
            for path in [outside, beside] {
                #expect((try? String(contentsOfFile: path, encoding: .utf8)) == Self.canary, "\(path) was changed or removed")
            }
            // The real file is still there and was not what any of these reached.
            let stored = try await server.withConnection { try await $0.request(.GET, "/api/files/secret.txt", headers: headers) }
            #expect(stored.status == .ok && String(buffer: stored.body) == "stored", "\(stored.status) \(String(buffer: stored.body))")
        }
    }
}
