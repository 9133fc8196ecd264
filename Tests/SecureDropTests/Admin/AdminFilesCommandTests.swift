import Foundation
import NIOCore
import NIOHTTP1
import Testing
@testable import SecureDrop

/// `securedrop-admin files` against a live server's data directory.
@Suite("securedrop-admin files", .serialized)
struct AdminFilesCommandTests {
    private func admin(_ server: TestServer, _ arguments: [String]) async throws -> Command.Result {
        try await Command.run(AdminCommandTests.executable, arguments + ["--data-dir", server.server.configuration.dataDirectory])
    }

    @Test("files list shows what users uploaded; remove deletes it for the live server")
    func listAndRemove() async throws {
        try await TestServer.with { server in
            let auth = try await server.authorization("alice")
            try await server.withConnection { connection in
                _ = try await connection.request(.PUT, "/api/files/report.pdf", headers: auth, body: ByteBuffer(string: "%PDF"))
                _ = try await connection.request(.PUT, "/api/files/notes.txt", headers: auth, body: ByteBuffer(string: "notes"))
            }
            let table = try await admin(server, ["files", "list"])
            #expect(table.status == 0, "\(table.errors)")
            #expect(table.output.contains("report.pdf") && table.output.contains("alice") && table.output.contains("4 bytes"))
            let json = try await admin(server, ["files", "list", "--json", "--sort", "name"])
            let entries = try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [[String: Any]] ?? []
            #expect(entries.compactMap { $0["name"] as? String } == ["notes.txt", "report.pdf"])
            #expect(entries.first?["sha256"] as? String == sha256Hex(Array("notes".utf8)))

            let removed = try await admin(server, ["files", "remove", "report.pdf"])
            #expect(removed.status == 0, "\(removed.errors)")
            let gone = try await server.withConnection { try await $0.request(.GET, "/api/files/report.pdf", headers: auth) }
            #expect(gone.status == .notFound)
            let missing = try await admin(server, ["files", "remove", "report.pdf"])
            #expect(missing.status == 1)
            #expect(missing.errors.contains("No file named report.pdf"))
            #expect(try await admin(server, ["files", "remove"]).status == 2)
        }
    }

    @Test("files verify passes on intact storage and exits 1 naming a corrupted or missing file")
    func verify() async throws {
        try await TestServer.with { server in
            let auth = try await server.authorization("alice")
            try await server.withConnection { connection in
                for name in ["a.txt", "b.txt", "c.txt"] {
                    _ = try await connection.request(.PUT, "/api/files/\(name)", headers: auth, body: ByteBuffer(string: "content of \(name)"))
                }
            }
            let healthy = try await admin(server, ["files", "verify"])
            #expect(healthy.status == 0, "\(healthy.output)\(healthy.errors)")
            #expect(healthy.output.contains("3 files checked, 0 problems"))

            let records = try await server.server.files.list(order: .nameAscending)
            let store = try #require(server.server.files.blobs as? LocalBlobStore)
            // Flip one byte of a.txt (same size), delete b.txt's bytes.
            let aPath = store.path(of: records[0].blob)
            var bytes = try Data(contentsOf: URL(fileURLWithPath: aPath))
            bytes[0] ^= 0x01
            try bytes.write(to: URL(fileURLWithPath: aPath))
            try FileManager.default.removeItem(atPath: store.path(of: records[1].blob))

            let broken = try await admin(server, ["files", "verify"])
            #expect(broken.status == 1)
            #expect(broken.output.contains("FAIL a.txt: content does not match its SHA-256"))
            #expect(broken.output.contains("FAIL b.txt: the stored bytes are missing"))
            #expect(!broken.output.contains("FAIL c.txt"))
        }
    }
}
