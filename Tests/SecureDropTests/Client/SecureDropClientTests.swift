import Foundation
import NIOCore
import Testing
@testable import SecureDrop

/// `SecureDropClient` against a live server: error mapping, integrity checks, resume.
@Suite("SecureDropClient", .serialized)
struct SecureDropClientTests {
    private func client(_ server: TestServer, token: String? = nil) throws -> SecureDropClient {
        try SecureDropClient(
            endpoint: ServerEndpoint(host: "127.0.0.1", port: server.port),
            trust: .certificateAuthorities(file: server.certificatePath),
            token: token
        )
    }

    private func loggedIn(_ server: TestServer, _ name: String = "carol") async throws -> SecureDropClient {
        try await server.addUser(name, password: "\(name)-password-1")
        let anonymous = try client(server)
        let session = try await anonymous.login(username: name, password: "\(name)-password-1")
        #expect(session.expiresAt > Date())
        return anonymous.authenticated(with: session.token)
    }

    private func expectNotStored(_ client: SecureDropClient, _ name: String, in directory: URL) async throws {
        await #expect(throws: SecureDropClientError.self) {
            _ = try await client.download(name: name, to: directory.appendingPathComponent("probe").path)
        }
        #expect(try await client.list().isEmpty)
    }

    // MARK: Error mapping

    @Test("both error shapes map to typed errors carrying the server's message; 401 depends on whether a token was sent")
    func errorMapping() {
        let rest = Array(#"{"error":"not_found","message":"No file named x."}"#.utf8)
        #expect(SecureDropClientError.response(status: 404, body: rest, authenticated: true)
            == .server(status: 404, code: "not_found", message: "No file named x."))
        let seed = Array(#"{"message":"There are no files yet."}"#.utf8)
        #expect(SecureDropClientError.response(status: 404, body: seed, authenticated: true)
            == .server(status: 404, code: nil, message: "There are no files yet."))
        let unauthorized = Array(#"{"error":"unauthorized","message":"Unauthorized"}"#.utf8)
        #expect(SecureDropClientError.response(status: 401, body: unauthorized, authenticated: true) == .sessionExpired(message: "Unauthorized"))
        #expect(SecureDropClientError.response(status: 401, body: Array(#"{"message":"Invalid credentials"}"#.utf8), authenticated: false)
            == .invalidCredentials(message: "Invalid credentials"))
        // A proxy's HTML page is not shown to the user; the status's reason phrase is.
        #expect(SecureDropClientError.response(status: 502, body: Array("<html><body>Bad</body></html>".utf8), authenticated: true)
            == .server(status: 502, code: nil, message: "Bad Gateway"))
        #expect(SecureDropClientError.response(status: 503, body: Array("down for maintenance\n".utf8), authenticated: true)
            == .server(status: 503, code: nil, message: "down for maintenance"))
    }

    @Test("server URLs: https only, canonical form with the port spelled out")
    func endpoints() throws {
        #expect(try ServerEndpoint(url: "https://Files.Example").description == "https://files.example:443")
        #expect(try ServerEndpoint(url: "https://127.0.0.1:8443/").port == 8443)
        #expect(try ServerEndpoint(url: "https://[::1]:8443").description == "https://[::1]:8443")
        for bad in ["http://files.example", "files.example", "https://files.example/api", "https://u:p@files.example", "https://x:0"] {
            #expect(throws: SecureDropClientError.invalidServerURL(bad)) { try ServerEndpoint(url: bad) }
        }
    }

    @Test("live refusals: bad password, dead token, missing file, seed-shaped 404, no token")
    func liveErrors() async throws {
        try await TestServer.with { server in
            try await server.addUser("dave", password: "dave-password-1")
            await #expect(throws: SecureDropClientError.invalidCredentials(message: "Invalid credentials")) {
                _ = try await client(server).login(username: "dave", password: "wrong-password")
            }
            await #expect(throws: SecureDropClientError.sessionExpired(message: "Unauthorized")) {
                _ = try await client(server, token: "not-a-token").me()
            }
            await #expect(throws: SecureDropClientError.notLoggedIn) { _ = try await client(server).list() }

            let dave = try await loggedIn(server, "erin")
            #expect(try await dave.me().username == "erin")
            let directory = try makeTemporaryDirectory("securedrop-client")
            defer { try? FileManager.default.removeItem(at: directory) }
            do {
                _ = try await dave.download(name: "nothing.txt", to: directory.appendingPathComponent("x").path)
                Issue.record("a missing file must not download")
            } catch let error as SecureDropClientError {
                guard case .server(404, "not_found", let message) = error else { throw error }
                #expect(!message.isEmpty)
            }
            #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("x").path), "nothing written on an error")
            await #expect(throws: SecureDropClientError.server(status: 404, code: nil, message: "There are no files yet.")) {
                _ = try await dave.downloadLast(n: 2, to: directory.appendingPathComponent("a.zip").path)
            }
            try await dave.logout()
            await #expect(throws: SecureDropClientError.sessionExpired(message: "Unauthorized")) { _ = try await dave.me() }
            // The server answers 401 before reading a large body and closes: still a dead session.
            let large = directory.appendingPathComponent("large.bin").path
            try Data(randomBytes(16 << 20)).write(to: URL(fileURLWithPath: large))
            await #expect(throws: SecureDropClientError.sessionExpired(message: "Unauthorized")) { _ = try await dave.upload(file: large) }
        }
    }

    @Test("a file that shrinks while uploading is reported and not stored")
    func shrinkingUpload() async throws {
        try await TestServer.with { server in
            let client = try await loggedIn(server)
            let directory = try makeTemporaryDirectory("securedrop-client")
            defer { try? FileManager.default.removeItem(at: directory) }
            let path = directory.appendingPathComponent("shrinks.bin").path
            try Data(randomBytes(2 << 20)).write(to: URL(fileURLWithPath: path))
            do {
                _ = try await client.upload(file: path) { progress in
                    if progress.completed == Int64(LocalFile.chunkSize) { truncate(path, 1 << 20) }
                }
                Issue.record("the upload must fail")
            } catch let error as SecureDropClientError {
                guard case .sourceChanged(path, let detail) = error else { throw error }
                #expect(detail.contains("ended after 1048576"))
            }
            try await expectNotStored(client, "shrinks.bin", in: directory)
        }
    }

    @Test("a file that grows while uploading is reported and not stored")
    func growingUpload() async throws {
        try await TestServer.with { server in
            let client = try await loggedIn(server)
            let directory = try makeTemporaryDirectory("securedrop-client")
            defer { try? FileManager.default.removeItem(at: directory) }
            let path = directory.appendingPathComponent("grows.bin").path
            try Data(randomBytes(1 << 20)).write(to: URL(fileURLWithPath: path))
            await #expect(throws: SecureDropClientError.sourceChanged(path: path, detail: "it grew beyond the 1048576 bytes announced")) {
                _ = try await client.upload(file: path) { progress in
                    if progress.completed == Int64(LocalFile.chunkSize), let handle = FileHandle(forWritingAtPath: path) {
                        handle.seekToEndOfFile()
                        handle.write(Data(randomBytes(1000)))
                        handle.closeFile()
                    }
                }
            }
            try await expectNotStored(client, "grows.bin", in: directory)
        }
    }

    @Test("stream uploads: chunked without a size; a stream shorter than announced stores nothing")
    func streamUploads() async throws {
        try await TestServer.with { server in
            let client = try await loggedIn(server)
            let chunks = DeterministicBytes(count: 1_000_000)
            let stored = try await client.upload(stream: Self.stream(chunks), name: "stream.bin")
            #expect(stored.size == 1_000_000)
            #expect(stored.sha256 == chunks.sha256)
            let sized = try await client.upload(stream: Self.stream(chunks), name: "stream.bin", size: 1_000_000, overwrite: true)
            #expect(sized.name == "stream.bin")

            await #expect(throws: SecureDropClientError.self) {
                _ = try await client.upload(stream: Self.stream(DeterministicBytes(count: 500_000)), name: "short.bin", size: 1_000_000)
            }
            #expect(try await client.list().map(\.name) == ["stream.bin"])
        }
    }

    @Test("resume: the progress starts at the partial size, the result is verified, and a changed file is refetched whole")
    func resume() async throws {
        try await TestServer.with { server in
            let client = try await loggedIn(server)
            let directory = try makeTemporaryDirectory("securedrop-client")
            defer { try? FileManager.default.removeItem(at: directory) }
            let content = randomBytes(1_200_000)
            let source = directory.appendingPathComponent("data.bin").path
            try Data(content).write(to: URL(fileURLWithPath: source))
            let stored = try await client.upload(file: source)
            #expect(stored.sha256 == sha256Hex(content))

            let target = directory.appendingPathComponent("copy.bin").path
            try Data(content.prefix(500_000)).write(to: URL(fileURLWithPath: target))
            var reports: [TransferProgress] = []
            let result = try await client.download(name: "data.bin", to: target, resume: true) { reports.append($0) }
            #expect(result.resumedFrom == 500_000)
            #expect(result.sha256 == stored.sha256)
            #expect(reports.first == TransferProgress(startOffset: 500_000, completed: 500_000, total: 1_200_000))
            #expect(reports.last?.completed == 1_200_000)
            #expect(try sha256Hex(ofFile: target) == stored.sha256)

            // Already complete: nothing is transferred.
            let again = try await client.download(name: "data.bin", to: target, resume: true)
            #expect(again.resumedFrom == 1_200_000)

            // Without resume the target is replaced.
            try Data(content.prefix(10)).write(to: URL(fileURLWithPath: target))
            #expect(try await client.download(name: "data.bin", to: target).resumedFrom == 0)
            #expect(try sha256Hex(ofFile: target) == stored.sha256)
        }
    }

    private static func stream(_ chunks: DeterministicBytes) -> AsyncStream<ByteBuffer> {
        AsyncStream { continuation in
            for chunk in chunks { continuation.yield(chunk) }
            continuation.finish()
        }
    }
}
