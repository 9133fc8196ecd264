import Foundation
import NIOCore
import NIOHTTP1
import Testing
@testable import SecureDrop

/// The file API over real TLS: uploads, downloads, names, limits, atomicity.
@Suite("File routes over HTTPS", .serialized)
struct FileRoutesTests {
    @Test(
        "PUT then GET and HEAD round-trip 0-byte, 1-byte, 64 KiB (read whole), 64 KiB + 1 (streamed) and 5 MiB files byte for byte",
        arguments: [0, 1, Int(FileDownload.inMemoryLimit), Int(FileDownload.inMemoryLimit) + 1, 5 << 20]
    )
    func roundTrip(size: Int) async throws {
        try await TestServer.with { server in
            let auth = try await server.authorization("alice")
            let data = randomBytes(size)
            try await server.withConnection { connection in
                let put = try await connection.request(.PUT, "/api/files/data.bin", headers: auth, body: ByteBuffer(bytes: data))
                #expect(put.status == .created, "\(put.bodyText)")
                #expect(put.json["name"] as? String == "data.bin")
                #expect(put.json["size"] as? Int == size)
                #expect(put.json["sha256"] as? String == sha256Hex(data))
                #expect(put.json["uploader"] as? String == "alice")
                #expect(put.head.headers["Location"].first == "/api/files/data.bin")

                let get = try await connection.request(.GET, "/api/files/data.bin", headers: auth, responseLimit: 8 << 20)
                #expect(get.status == .ok)
                #expect(Array(get.body.readableBytesView) == data)
                #expect(get.head.headers["Content-Length"].first == String(size))
                #expect(get.head.headers["ETag"].first == "\"\(sha256Hex(data))\"")
                #expect(get.head.headers["Content-Disposition"].first?.hasPrefix("attachment;") == true)
                #expect(get.head.headers["X-Content-Type-Options"].first == "nosniff")
                #expect(get.head.headers["Content-Security-Policy"].first?.contains("sandbox") == true)
                #expect(get.head.headers["Last-Modified"].first?.hasSuffix("GMT") == true)

                let head = try await connection.request(.HEAD, "/api/files/data.bin", headers: auth)
                #expect(head.status == .ok)
                #expect(head.head.headers["Content-Length"].first == String(size))
                #expect(head.body.readableBytes == 0)

                // The seed's download route serves the same bytes.
                let seed = try await connection.request(.GET, "/api/uploads/data.bin", headers: auth, responseLimit: 8 << 20)
                #expect(Array(seed.body.readableBytesView) == data)
            }
        }
    }

    @Test("A streamed 1 GiB upload and download keep every byte (hash compared)")
    func oneGibibyte() async throws {
        try await TestServer.with { server in
            let auth = try await server.authorization("alice")
            let blockSize = 1 << 20
            let blocks = ProcessInfo.processInfo.environment["SECUREDROP_BIG_FILE_MIB"].flatMap(Int.init) ?? 1024
            let expected = SHA256Hasher()

            try await server.withConnection { connection in
                let head = try await connection.send(.PUT, "/api/files/big.iso", headers: auth + [("Content-Length", String(blockSize * blocks))]) { writer in
                    for index in 0..<blocks {
                        let block = patternBlock(index, size: blockSize)
                        expected.update(block)
                        try await writer.write(block)
                    }
                }
                let answer = try await connection.collectBody(limit: 4096)
                #expect(head.status == .created, "\(String(buffer: answer))")
                let digest = expected.finishHex()
                #expect(String(buffer: answer).contains(digest))

                let download = try await connection.send(.GET, "/api/files/big.iso", headers: auth)
                #expect(download.status == .ok)
                let received = SHA256Hasher()
                var total = 0
                while let chunk = try await connection.nextBodyChunk() {
                    received.update(chunk)
                    total += chunk.readableBytes
                }
                #expect(total == blockSize * blocks)
                #expect(received.finishHex() == digest)
            }
        }
    }

    @Test("The seed's client style (Python requests) logs in, lists, uploads, downloads and logs out unchanged")
    func seedClient() async throws {
        try await TestServer.with { server in
            try await server.addUser("alice", password: "alice-password-1")
            let script = """
                import os, re, requests, sys
                os.environ.pop("REQUESTS_CA_BUNDLE", None)
                os.environ.pop("CURL_CA_BUNDLE", None)
                s = requests.Session()
                s.verify = sys.argv[1]
                base = "https://localhost:" + sys.argv[2]
                r = s.get(base + "/api")
                assert r.status_code == 401 and r.json() == {"message": "Unauthorized"}, r.text
                r = s.post(base + "/api/login", json={"username": "alice", "password": "alice-password-1"})
                assert r.json()["message"] == "Login successful", r.text
                r = s.post(base + "/api/upload", files={"file": ("My Report.PDF", b"%PDF-1.4 report")})
                assert r.status_code == 200 and r.json() == {"message": "File uploaded: my-report.PDF"}, r.text
                r = s.post(base + "/api/upload", files={"file": ("notes.txt", b"hello")})
                assert r.json() == {"message": "File uploaded: notes.txt"}, r.text
                r = s.post(base + "/api/upload", data={"other": "x"})
                assert r.status_code == 400 and r.json() == {"message": "No file provided"}, r.text
                r = s.get(base + "/api")
                files = r.json()["files"]
                assert [f[0] for f in files] == ["my-report.PDF", "notes.txt"], files
                assert all(re.fullmatch(r"\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}", f[1]) for f in files), files
                assert list(r.json().keys()) == ["files"]
                r = s.get(base + "/api", params={"n": 1, "order": "desc"})
                assert [f[0] for f in r.json()["files"]] == ["notes.txt"], r.text
                r = s.get(base + "/api", params={"n": "x"})
                assert r.status_code == 400 and list(r.json().keys()) == ["message"], r.text
                r = s.get(base + "/api", params={"order": "sideways"})
                assert r.status_code == 400, r.text
                r = s.get(base + "/api/uploads/my-report.PDF")
                assert r.status_code == 200 and r.content == b"%PDF-1.4 report", r.status_code
                r = s.get(base + "/api/uploads/missing.txt")
                assert r.status_code == 404 and list(r.json().keys()) == ["message"], r.text
                r = s.get(base + "/api/logout")
                assert r.json() == {"message": "Logged out"}, r.text
                r = s.get(base + "/api/uploads/notes.txt")
                assert r.status_code == 401 and r.json() == {"message": "Unauthorized"}, r.text
                print("ok")
                """
            let result = try await Command.run("python3", ["-c", script, server.certificatePath, String(server.port)])
            #expect(result.status == 0, "\(result.errors)")
            #expect(result.output.contains("ok"))
        }
    }

    @Test("Several files in one multipart request; the same name twice becomes name-1")
    func multipartSeveralAndCollisions() async throws {
        try await TestServer.with { server in
            let auth = try await server.authorization("alice")
            try await server.withConnection { connection in
                let body = Multipart.body([
                    .init(fileName: "a.txt", data: Array("first".utf8)),
                    .init(field: "comment", fileName: nil, contentType: nil, data: Array("ignored".utf8)),
                    .init(fileName: "a.txt", data: Array("second".utf8)),
                    .init(fileName: "b", data: []),
                ])
                let upload = try await connection.request(.POST, "/api/upload", headers: auth + [("Content-Type", Multipart.contentType)], body: body)
                #expect(upload.status == .ok)
                #expect(upload.bodyText == #"{"message":"File uploaded: a.txt, a-1.txt, b"}"#)
                let again = try await connection.request(.PUT, "/api/files/a.txt", headers: auth, body: ByteBuffer(string: "third"))
                #expect(again.json["name"] as? String == "a-2.txt")
                let first = try await connection.request(.GET, "/api/files/a.txt", headers: auth)
                #expect(first.bodyText == "first")
                let second = try await connection.request(.GET, "/api/files/a-1.txt", headers: auth)
                #expect(second.bodyText == "second")
                let empty = try await connection.request(.GET, "/api/files/b", headers: auth)
                #expect(empty.status == .ok && empty.body.readableBytes == 0)
            }
        }
    }

    @Test("overwrite=true replaces the uploader's own file; another user gets 403 and the file stays")
    func overwrite() async throws {
        try await TestServer.with { server in
            let alice = try await server.authorization("alice")
            let bob = try await server.authorization("bob")
            let admin = try await server.authorization("root", role: .admin)
            try await server.withConnection { connection in
                _ = try await connection.request(.PUT, "/api/files/doc.txt", headers: alice, body: ByteBuffer(string: "v1"))
                let replaced = try await connection.request(.PUT, "/api/files/doc.txt?overwrite=true", headers: alice, body: ByteBuffer(string: "v2"))
                #expect(replaced.json["name"] as? String == "doc.txt")
                let refused = try await connection.request(.PUT, "/api/files/doc.txt?overwrite=true", headers: bob, body: ByteBuffer(string: "evil"))
                #expect(refused.status == .forbidden)
                #expect(try await connection.request(.GET, "/api/files/doc.txt", headers: bob).bodyText == "v2")
                let byAdmin = try await connection.request(.PUT, "/api/files/doc.txt?overwrite=true", headers: admin, body: ByteBuffer(string: "v3"))
                #expect(byAdmin.status == .created)
                #expect(try await connection.request(.GET, "/api/files/doc.txt", headers: bob).bodyText == "v3")
            }
            // One blob per stored file: replaced blobs were removed, refused ones never kept.
            #expect(server.storedFiles().filter { $0.hasPrefix("blobs/") }.count == 1)
        }
    }

    @Test("Delete: the uploader and admins may, others get 403; unknown names 404 JSON")
    func delete() async throws {
        try await TestServer.with { server in
            let alice = try await server.authorization("alice")
            let bob = try await server.authorization("bob")
            let admin = try await server.authorization("root", role: .admin)
            try await server.withConnection { connection in
                _ = try await connection.request(.PUT, "/api/files/one.txt", headers: alice, body: ByteBuffer(string: "1"))
                _ = try await connection.request(.PUT, "/api/files/two.txt", headers: alice, body: ByteBuffer(string: "2"))
                let byBob = try await connection.request(.DELETE, "/api/files/one.txt", headers: bob)
                #expect(byBob.status == .forbidden)
                #expect(byBob.json["error"] as? String == "forbidden")
                #expect(try await connection.request(.DELETE, "/api/files/one.txt", headers: alice).status == .noContent)
                #expect(try await connection.request(.DELETE, "/api/files/two.txt", headers: admin).status == .noContent)
                let gone = try await connection.request(.GET, "/api/files/one.txt", headers: alice)
                #expect(gone.status == .notFound)
                #expect(gone.json["error"] as? String == "not_found")
                #expect(try await connection.request(.DELETE, "/api/files/one.txt", headers: alice).status == .notFound)
            }
            #expect(server.storedFiles().filter { $0.hasPrefix("blobs/") }.isEmpty)
        }
    }

    @Test("Hostile names never reach the filesystem: traversal, encoded traversal, NUL, backslashes, long, unicode")
    func hostileNames() async throws {
        try await TestServer.with { server in
            let auth = try await server.authorization("alice")
            let attempts = [
                "..%2f..%2fetc%2fpasswd", "%2e%2e%2f%2e%2e%2fescape.txt", "..%252f..%252fdouble.txt", "..%5c..%5cwin.ini",
                "evil%00.txt", "%2fetc%2fpasswd", "C:%5cWindows%5csystem.ini", String(repeating: "a", count: 600) + ".txt",
                "r%C3%A9sum%C3%A9%20final.txt", "no-extension", "%E2%80%AEtxt.exe", "..", "%2e%2e",
            ]
            try await server.withConnection { connection in
                for attempt in attempts {
                    let put = try await connection.request(.PUT, "/api/files/\(attempt)", headers: auth, body: ByteBuffer(string: "x"))
                    if put.status == .created {
                        let name = try #require(put.json["name"] as? String)
                        #expect(FileName.isValid(name), "\(attempt) → \(name)")
                        #expect(!name.contains("/") && !name.contains("\\") && !name.contains("\0") && !name.hasPrefix("."), "\(attempt) → \(name)")
                    } else {
                        #expect(put.status == .badRequest || put.status == .notFound, "\(attempt): \(put.status)")
                        if put.status == .badRequest { #expect(put.json["error"] != nil) }
                    }
                }
                for attempt in ["..%2f..%2fetc%2fpasswd", "..%2fsecuredrop.sqlite", "%2e%2e", "blobs%2f00", "..%5csecuredrop.sqlite"] {
                    let get = try await connection.request(.GET, "/api/files/\(attempt)", headers: auth)
                    #expect(get.status == .notFound, "\(attempt)")
                    let seed = try await connection.request(.GET, "/api/uploads/\(attempt)", headers: auth)
                    #expect(seed.status == .notFound, "\(attempt)")
                }
            }
            // Everything stored is a blob or nothing: no file appeared anywhere else.
            for path in server.storedFiles() {
                #expect(path.hasPrefix("blobs/"), "unexpected file \(path)")
            }
        }
    }

    @Test("A multipart file name with quotes and CR/LF cannot inject headers")
    func headerInjectionThroughNames() async throws {
        try await TestServer.with { server in
            let auth = try await server.authorization("alice")
            try await server.withConnection { connection in
                // filename* carries the raw bytes (CR, LF, quotes) past the quoted-string syntax.
                var body = ByteBuffer()
                body.writeString("--\(Multipart.boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename*=UTF-8''x%22%0d%0aSet-Cookie%3a%20a%3db.txt\r\n\r\ndata\r\n--\(Multipart.boundary)--\r\n")
                let upload = try await connection.request(.POST, "/api/upload", headers: auth + [("Content-Type", Multipart.contentType)], body: body)
                if upload.status == .ok {
                    let name = try #require(String(upload.json["message"] as? String ?? "").split(separator: " ").last.map(String.init))
                    let download = try await connection.request(.GET, "/api/files/\(name)", headers: auth)
                    #expect(download.head.headers["Set-Cookie"].isEmpty)
                    let disposition = try #require(download.head.headers["Content-Disposition"].first)
                    #expect(!disposition.contains("\r") && !disposition.contains("\n"))
                } else {
                    #expect(upload.status == .badRequest)
                }
            }
        }
    }

    @Test("Ranges: open, closed, suffix, past the end; 416 when unsatisfiable; invalid ones ignored")
    func ranges() async throws {
        try await TestServer.with { server in
            let auth = try await server.authorization("alice")
            let data = Array("0123456789abcdefghij".utf8)
            try await server.withConnection { connection in
                _ = try await connection.request(.PUT, "/api/files/r.txt", headers: auth, body: ByteBuffer(bytes: data))
                let cases: [(String, HTTPResponseStatus, String, String?)] = [
                    ("bytes=0-3", .partialContent, "0123", "bytes 0-3/20"),
                    ("bytes=10-", .partialContent, "abcdefghij", "bytes 10-19/20"),
                    ("bytes=-5", .partialContent, "fghij", "bytes 15-19/20"),
                    ("bytes=-500", .partialContent, String(decoding: data, as: UTF8.self), "bytes 0-19/20"),
                    ("bytes=18-99", .partialContent, "ij", "bytes 18-19/20"),
                    ("bytes=20-", .rangeNotSatisfiable, "", "bytes */20"),
                    ("bytes=abc", .ok, String(decoding: data, as: UTF8.self), nil),
                    ("bytes=5-1", .ok, String(decoding: data, as: UTF8.self), nil),
                ]
                for (range, status, body, contentRange) in cases {
                    let response = try await connection.request(.GET, "/api/files/r.txt", headers: auth + [("Range", range)])
                    #expect(response.status == status, "\(range)")
                    #expect(response.bodyText == body, "\(range)")
                    #expect(response.head.headers["Content-Range"].first == contentRange, "\(range)")
                }
                // A resumed download with a stale validator gets the whole new file.
                let stale = try await connection.request(.GET, "/api/files/r.txt", headers: auth + [("Range", "bytes=5-"), ("If-Range", "\"0000\"")])
                #expect(stale.status == .ok && stale.body.readableBytes == 20)
                let etag = try #require(stale.head.headers["ETag"].first)
                let fresh = try await connection.request(.GET, "/api/files/r.txt", headers: auth + [("Range", "bytes=5-"), ("If-Range", etag)])
                #expect(fresh.status == .partialContent && fresh.bodyText == "56789abcdefghij")
                let cached = try await connection.request(.GET, "/api/files/r.txt", headers: auth + [("If-None-Match", etag)])
                #expect(cached.status == .notModified && cached.body.readableBytes == 0)
            }
        }
    }

    @Test("Oversized uploads: 413 from Content-Length before any byte is sent, and mid-stream for chunked bodies; nothing stored")
    func tooLarge() async throws {
        try await TestServer.with(configure: { $0.maxUploadBytes = 1 << 20 }) { server in
            let auth = try await server.authorization("alice")
            try await server.withConnection { connection in
                // Declared too large, with Expect: 100-continue: refused without a 100, so
                // the client never sends the body.
                let early = try await connection.send(.PUT, "/api/files/big.bin", headers: auth + [("Content-Length", String(2 << 20)), ("Expect", "100-continue")])
                #expect(early.status == .payloadTooLarge)
                #expect(early.headers["Connection"].first == "close")
                let message = String(buffer: try await connection.collectBody(limit: 4096))
                #expect(message.contains("payload_too_large"))
            }
            try await server.withConnection { connection in
                let chunked = try await connection.send(.PUT, "/api/files/big.bin", headers: auth + [("Transfer-Encoding", "chunked")]) { writer in
                    for index in 0..<3 { try await writer.write(patternBlock(index, size: 512 << 10)) }
                }
                #expect(chunked.status == .payloadTooLarge)
            }
            try await server.withConnection { connection in
                let body = Multipart.body([.init(fileName: "big.bin", data: Array(repeating: 7, count: (1 << 20) + 1))])
                let multipart = try await connection.request(.POST, "/api/upload", headers: auth + [("Content-Type", Multipart.contentType)], body: body)
                #expect(multipart.status == .payloadTooLarge)
                #expect(Set(multipart.json.keys) == ["message"])
            }
            try await Task.sleep(for: .milliseconds(200))
            #expect(server.storedFiles().isEmpty, "\(server.storedFiles())")
            let listed = try await server.server.files.list()
            #expect(listed.isEmpty)
        }
    }

    @Test("Multipart abuse: too many parts, oversized part headers and garbage are 400, and nothing is stored")
    func multipartLimits() async throws {
        try await TestServer.with { server in
            let auth = try await server.authorization("alice")
            let headers = auth + [("Content-Type", Multipart.contentType)]
            let manyParts = Multipart.body((0..<101).map { .init(fileName: "f\($0).txt", data: Array("x".utf8)) })
            var hugeHeader = ByteBuffer()
            hugeHeader.writeString("--\(Multipart.boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\nX-Padding: ")
            hugeHeader.writeString(String(repeating: "a", count: 20_000) + "\r\n\r\ndata\r\n--\(Multipart.boundary)--\r\n")
            let garbage = ByteBuffer(string: "this is not a multipart body at all")
            try await server.withConnection { connection in
                for (name, body) in [("101 parts", manyParts), ("20 KB part header", hugeHeader), ("garbage", garbage)] {
                    let response = try await connection.request(.POST, "/api/upload", headers: headers, body: body)
                    #expect(response.status == .badRequest, "\(name): \(response.status)")
                    #expect(Set(response.json.keys) == ["message"], "\(name)")
                }
            }
            #expect(server.storedFiles().isEmpty, "\(server.storedFiles())")
            #expect(try await server.server.files.list().isEmpty)
        }
    }

    @Test("A client that vanishes mid-upload leaves no file, no row and no temporary file")
    func abortedUpload() async throws {
        try await TestServer.with { server in
            let auth = try await server.authorization("alice")
            struct Vanish: Error {}
            await #expect(throws: Vanish.self) {
                try await server.withConnection { connection in
                    _ = try await connection.send(.PUT, "/api/files/partial.bin", headers: auth + [("Content-Length", String(8 << 20))]) { writer in
                        try await writer.write(patternBlock(0, size: 1 << 20))
                        throw Vanish()
                    }
                }
            }
            try await server.withConnection { connection in
                let body = Multipart.body([.init(fileName: "whole.txt", data: Array("ok".utf8))])
                var truncated = body
                truncated.moveWriterIndex(to: body.writerIndex - 10)
                // A multipart body that ends before its closing boundary is malformed: nothing kept.
                let response = try await connection.request(.POST, "/api/upload", headers: auth + [("Content-Type", Multipart.contentType)], body: truncated)
                #expect(response.status == .badRequest)
            }
            let deadline = ContinuousClock.now + .seconds(5)
            while !server.storedFiles().isEmpty && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(server.storedFiles().isEmpty, "\(server.storedFiles())")
            #expect(try await server.server.files.list().isEmpty)
        }
    }

    @Test("A full disk answers 507 and leaves nothing behind")
    func diskFull() async throws {
        try await TestServer.with(blobStore: { configuration in
            FullDiskBlobStore(base: try LocalBlobStore(dataDirectory: configuration.dataDirectory), capacity: 64 << 10)
        }) { server in
            let auth = try await server.authorization("alice")
            try await server.withConnection { connection in
                let small = try await connection.request(.PUT, "/api/files/small.txt", headers: auth, body: ByteBuffer(string: "fits"))
                #expect(small.status == .created)
                let big = try await connection.request(.PUT, "/api/files/big.bin", headers: auth, body: patternBlock(1, size: 256 << 10))
                #expect(big.status.code == 507, "\(big.status)")
                #expect(big.json["error"] as? String == "insufficient_storage")
            }
            let names = try await server.server.files.list().map(\.name)
            #expect(names == ["small.txt"])
            #expect(server.storedFiles().count == 1)
        }
    }

    @Test("Concurrent uploads of one name all succeed under distinct names")
    func concurrentSameName() async throws {
        try await TestServer.with { server in
            let auth = try await server.authorization("alice")
            let names = try await withThrowingTaskGroup(of: String.self) { group in
                for index in 0..<8 {
                    group.addTask {
                        try await server.withConnection { connection in
                            let put = try await connection.request(.PUT, "/api/files/same.txt", headers: auth, body: ByteBuffer(string: "copy \(index)"))
                            return put.json["name"] as? String ?? "failed: \(put.bodyText)"
                        }
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(Set(names) == Set(["same.txt"] + (1...7).map { "same-\($0).txt" }), "\(names)")
        }
    }

    @Test("The last n files come as one ZIP that unzip -t accepts, with the right contents and length")
    func lastFilesZip() async throws {
        try await TestServer.with { server in
            let auth = try await server.authorization("alice")
            let directory = try makeTemporaryDirectory("zip-test")
            defer { try? FileManager.default.removeItem(at: directory) }
            let contents = ["old.txt": Array("old".utf8), "one.bin": randomBytes(70_000), "two.txt": Array("two".utf8), "empty.dat": []]
            try await server.withConnection { connection in
                for name in ["old.txt", "one.bin", "two.txt", "empty.dat"] {
                    _ = try await connection.request(.PUT, "/api/files/\(name)", headers: auth, body: ByteBuffer(bytes: contents[name]!))
                }
                let zip = try await connection.request(.GET, "/api/last/3/download?filename=My%20Bundle", headers: auth, responseLimit: 1 << 20)
                #expect(zip.status == .ok)
                #expect(zip.head.headers["Content-Type"].first == "application/zip")
                #expect(zip.head.headers["Content-Length"].first == String(zip.body.readableBytes))
                #expect(zip.head.headers["Content-Disposition"].first?.contains("my-bundle.zip") == true)
                let path = directory.appendingPathComponent("bundle.zip")
                try Data(zip.body.readableBytesView).write(to: path)
                let test = try await Command.run("unzip", ["-t", path.path])
                #expect(test.status == 0, "\(test.output)\(test.errors)")
                let listing = try await Command.run("unzip", ["-Z1", path.path])
                #expect(Set(listing.output.split(separator: "\n").map(String.init)) == ["one.bin", "two.txt", "empty.dat"])
                let extract = try await Command.run("unzip", ["-q", path.path, "-d", directory.appendingPathComponent("out").path])
                #expect(extract.status == 0)
                let one = try Data(contentsOf: directory.appendingPathComponent("out/one.bin"))
                #expect(Array(one) == contents["one.bin"])

                #expect(try await connection.request(.GET, "/api/last/0/download", headers: auth).status == .badRequest)
                #expect(try await connection.request(.GET, "/api/last/x/download", headers: auth).status == .badRequest)
                #expect(try await connection.request(.GET, "/api/last/2/download").status == .unauthorized)
            }
        }
    }

    @Test("GET /api/files lists objects, sortable; bad parameters are 400 JSON")
    func restList() async throws {
        try await TestServer.with { server in
            let auth = try await server.authorization("alice")
            try await server.withConnection { connection in
                for name in ["b.txt", "a.txt", "c.txt"] {
                    _ = try await connection.request(.PUT, "/api/files/\(name)", headers: auth, body: ByteBuffer(string: name))
                }
                func names(_ query: String) async throws -> [String] {
                    let response = try await connection.request(.GET, "/api/files\(query)", headers: auth)
                    return (response.json["files"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
                }
                #expect(try await names("") == ["c.txt", "a.txt", "b.txt"])
                #expect(try await names("?sort=name") == ["a.txt", "b.txt", "c.txt"])
                #expect(try await names("?sort=name&order=desc&limit=2") == ["c.txt", "b.txt"])
                #expect(try await names("?order=asc") == ["b.txt", "a.txt", "c.txt"])
                let object = try #require((try await connection.request(.GET, "/api/files?limit=1", headers: auth).json["files"] as? [[String: Any]])?.first)
                #expect(Set(object.keys) == ["name", "size", "sha256", "content_type", "uploaded_at", "uploader"])
                #expect(object["content_type"] as? String == "text/plain; charset=utf-8" || object["content_type"] as? String == "text/plain")
                for bad in ["?limit=0", "?limit=abc", "?sort=size", "?order=up"] {
                    let response = try await connection.request(.GET, "/api/files\(bad)", headers: auth)
                    #expect(response.status == .badRequest, "\(bad)")
                    #expect(response.json["error"] as? String == "bad_request")
                }
                #expect(try await connection.request(.GET, "/api/files").status == .unauthorized)
            }
        }
    }

    @Test("curl -T uploads (with Expect: 100-continue) and curl -C - resumes a download")
    func curlUploadAndResume() async throws {
        try await TestServer.with { server in
            let auth = try await server.authorization("alice")
            let token = try #require(auth["Authorization"].first)
            let directory = try makeTemporaryDirectory("curl-test")
            defer { try? FileManager.default.removeItem(at: directory) }
            let source = directory.appendingPathComponent("big.iso")
            let data = randomBytes(3 << 20)
            try Data(data).write(to: source)
            let base = "https://127.0.0.1:\(server.port)"
            let start = ContinuousClock.now
            let upload = try await Command.run("curl", ["-sS", "--fail-with-body", "--cacert", server.certificatePath, "-H", "Authorization: \(token)", "-T", source.path, "\(base)/api/files/big.iso"])
            #expect(upload.status == 0, "\(upload.errors) \(upload.output)")
            #expect(upload.output.contains(sha256Hex(data)))
            // A 100 Continue comes at once: curl does not sit out its one-second Expect timeout.
            #expect(ContinuousClock.now - start < .milliseconds(900))

            let target = directory.appendingPathComponent("download.iso")
            try Data(data.prefix(1_000_000)).write(to: target)
            let resume = try await Command.run("curl", ["-sS", "--fail", "--cacert", server.certificatePath, "-H", "Authorization: \(token)", "-C", "-", "-o", target.path, "\(base)/api/files/big.iso"])
            #expect(resume.status == 0, "\(resume.errors)")
            #expect(sha256Hex(try Data(contentsOf: target)) == sha256Hex(data))
        }
    }

    @Test("The OpenAPI document lists every file route, and each one answers (none is a 404 route miss)")
    func openAPIDocument() async throws {
        try await TestServer.with { server in
            let auth = try await server.authorization("alice")
            try await server.withConnection { connection in
                let document = try await connection.request(.GET, "/api/openapi.yaml")
                #expect(document.status == .ok)
                #expect(document.head.headers["Content-Type"].first?.hasPrefix("application/yaml") == true)
                let yaml = document.bodyText
                // Paths are the two-space-indented keys under `paths:`, methods the four-space ones.
                var operations: [(path: String, method: String)] = []
                var currentPath: String?
                for line in yaml.split(separator: "\n") {
                    if line.hasPrefix("components:") { break }
                    if line.hasPrefix("  /") {
                        currentPath = String(line.trimmingCharacters(in: .whitespaces).dropLast())
                    } else if let path = currentPath, line.hasPrefix("    "), !line.hasPrefix("     "),
                              let method = ["get", "put", "post", "head", "delete"].first(where: { line == "    \($0):" }) {
                        operations.append((path, method))
                    }
                }
                #expect(Set(operations.map(\.path)) == ["/api/login", "/api/logout", "/api/me", "/api", "/api/upload", "/api/uploads/{name}", "/api/last/{n}/download", "/api/files", "/api/files/{name}", "/healthz"])
                #expect(operations.count == 14, "\(operations)")
                _ = try await connection.request(.PUT, "/api/files/x.txt", headers: auth, body: ByteBuffer(string: "x"))
                for (path, method) in operations where !path.hasPrefix("/api/log") {
                    let concrete = path.replacingOccurrences(of: "{name}", with: "x.txt").replacingOccurrences(of: "{n}", with: "1")
                    let response = try await connection.request(HTTPMethod(rawValue: method.uppercased()), concrete, headers: auth, body: ByteBuffer())
                    #expect(response.status != .notFound && response.status != .methodNotAllowed, "\(method) \(concrete): \(response.status)")
                }
            }
        }
    }

    @Test("Pipelined: a 100 Continue for a second request waits until the first response is complete")
    func pipelinedContinue() async throws {
        try await TestServer.with { server in
            let auth = try await server.authorization("alice")
            let token = try #require(auth["Authorization"].first)
            let payload = String(repeating: "0123456789abcdef", count: 16 * 1024)  // 256 KiB
            try await server.withConnection { connection in
                _ = try await connection.request(.PUT, "/api/files/first.txt", headers: auth, body: ByteBuffer(string: payload))
            }
            let raw = "GET /api/files/first.txt HTTP/1.1\r\nHost: localhost\r\nAuthorization: \(token)\r\n\r\n"
                + "PUT /api/files/second.txt HTTP/1.1\r\nHost: localhost\r\nAuthorization: \(token)\r\nExpect: 100-continue\r\n"
                + "Content-Length: 5\r\nConnection: close\r\n\r\nhello"
            let output = try await server.sendRaw(raw)
            let first = try #require(output.range(of: "HTTP/1.1 200 OK"))
            let body = try #require(output.range(of: payload))
            let continueLine = try #require(output.range(of: "HTTP/1.1 100 Continue"))
            let created = try #require(output.range(of: "HTTP/1.1 201 Created"))
            #expect(first.lowerBound < body.lowerBound)
            #expect(body.upperBound <= continueLine.lowerBound, "the 100 Continue must not land inside the first response")
            #expect(continueLine.upperBound <= created.lowerBound)
        }
    }

    @Test("An admin demoted while uploading can no longer overwrite another user's file")
    func roleReadAtCommit() async throws {
        try await TestServer.with { server in
            let alice = try await server.authorization("alice")
            let root = try await server.addUser("root", password: "root-password-1", role: .admin)
            try await server.withConnection { connection in
                _ = try await connection.request(.PUT, "/api/files/doc.txt", headers: alice, body: ByteBuffer(string: "alice's"))
            }
            let files = server.server.files
            let snapshot = AuthenticatedUser(id: root.id, name: "root", role: .admin, tokenID: "t", expiresAt: .distantFuture)
            let upload = try await files.beginUpload(originalName: "doc.txt", uploader: snapshot)
            try await upload.write(ByteBuffer(string: "replacement"))
            try await server.server.accounts.store.setRole(userID: root.id, role: .user)
            await #expect(throws: FileServiceError.forbidden("doc.txt")) {
                _ = try await files.commit([upload], overwrite: true)
            }
            let kept = try await files.file(named: "doc.txt")
            #expect(kept.uploaderName == "alice")
            #expect(server.storedFiles().filter { $0.hasPrefix("blobs/") }.count == 1)
        }
    }

    @Test("A small file whose stored bytes vanished is a 500 JSON error, not a 200 cut short")
    func vanishedSmallFile() async throws {
        try await TestServer.with { server in
            let auth = try await server.authorization("alice")
            try await server.withConnection { connection in
                let put = try await connection.request(.PUT, "/api/files/gone.txt", headers: auth, body: ByteBuffer(string: "soon gone"))
                #expect(put.status == .created)
            }
            let blobs = server.storedFiles().filter { $0.hasPrefix("blobs/") }
            #expect(blobs.count == 1)
            for blob in blobs { try FileManager.default.removeItem(atPath: server.server.configuration.dataDirectory + "/" + blob) }
            try await server.withConnection { connection in
                let get = try await connection.request(.GET, "/api/files/gone.txt", headers: auth)
                #expect(get.status == .internalServerError)
                #expect(get.json["error"] as? String != nil, "\(get.bodyText)")
                // The connection is still usable: nothing was cut mid-response.
                let health = try await connection.request(.GET, "/healthz")
                #expect(health.status == .ok)
            }
        }
    }

    @Test("Stored bytes without a metadata row (a crash between the two) are removed at start")
    func orphansRemovedAtStart() async throws {
        let directory = try makeTemporaryDirectory("orphan-test")
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = directory.appendingPathComponent("data")
        let orphan = data.appendingPathComponent("blobs/ab/abababababababababababababababab")
        try FileManager.default.createDirectory(at: orphan.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data("orphan".utf8).write(to: orphan)
        try await TestServer.with(configure: { $0.dataDirectory = data.path }) { server in
            #expect(!FileManager.default.fileExists(atPath: orphan.path))
            #expect(server.storedFiles().isEmpty)
        }
    }

    @Test("Leftover .part files from a crash are swept at start")
    func sweepAtStart() async throws {
        let directory = try makeTemporaryDirectory("sweep-test")
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = directory.appendingPathComponent("data")
        try FileManager.default.createDirectory(at: data.appendingPathComponent("tmp"), withIntermediateDirectories: true)
        let leftover = data.appendingPathComponent("tmp/0123456789abcdef0123456789abcdef.part")
        try Data("half an upload".utf8).write(to: leftover)
        try await TestServer.with(configure: { $0.dataDirectory = data.path }) { _ in
            #expect(!FileManager.default.fileExists(atPath: leftover.path))
        }
    }
}

/// A blob store whose disk holds `capacity` bytes in total: writes past it fail with ENOSPC,
/// exactly as a full filesystem would answer.
struct FullDiskBlobStore: BlobStore {
    let base: LocalBlobStore
    let capacity: Int

    final class Writer: BlobWriter, @unchecked Sendable {
        let inner: any BlobWriter
        let capacity: Int
        private var written = 0
        init(inner: any BlobWriter, capacity: Int) {
            self.inner = inner
            self.capacity = capacity
        }
        var id: BlobID { inner.id }
        func write(_ buffer: ByteBuffer) async throws {
            written += buffer.readableBytes
            if written > capacity { throw BlobStoreError.insufficientStorage }
            try await inner.write(buffer)
        }
        func finish() async throws { try await inner.finish() }
        func commit() async throws { try await inner.commit() }
        func abort() async { await inner.abort() }
    }

    func makeWriter() async throws -> any BlobWriter { Writer(inner: try await base.makeWriter(), capacity: capacity) }
    func read(_ id: BlobID, range: ClosedRange<UInt64>?, into consume: (ByteBuffer) async throws -> Void) async throws {
        try await base.read(id, range: range, into: consume)
    }
    func remove(_ id: BlobID) async throws { try await base.remove(id) }
    func allBlobs() async throws -> [BlobID] { try await base.allBlobs() }
    func size(of id: BlobID) async throws -> UInt64? { try await base.size(of: id) }
    func sweepUncommitted() async throws -> Int { try await base.sweepUncommitted() }
}
