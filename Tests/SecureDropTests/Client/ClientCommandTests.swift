import Foundation
import Testing
@testable import SecureDrop

/// `securedrop` as a user runs it: the built binary, over real TLS, against a live server.
@Suite("securedrop CLI against a running server", .serialized)
struct ClientCommandTests {
    @Test("login → put (with a name collision) → ls --json → get → get --last → rm → logout → ls exits 3")
    func fullFlow() async throws {
        try await TestServer.with { server in
            let cli = try CLIRunner(server: server)
            defer { cli.remove() }
            let login = try await cli.login()
            #expect(login.status == 0, "\(login.errors)")

            let first = try cli.makeFile("one/report.pdf", randomBytes(300_000))
            let second = try cli.makeFile("two/report.pdf", randomBytes(700_000))
            let put = try await cli.run(["put", first, second])
            #expect(put.status == 0, "\(put.errors)")
            let storedNames = put.output.split(separator: "\n").map(String.init)
            #expect(storedNames.count == 2)
            #expect(storedNames.first == "report.pdf")
            let renamed = try #require(storedNames.last)
            #expect(renamed != "report.pdf" && renamed.hasPrefix("report") && renamed.hasSuffix(".pdf"))
            #expect(put.errors.isEmpty, "no progress bar when stderr is not a terminal")

            let listed = try await cli.run(["ls", "--json"])
            #expect(listed.status == 0, "\(listed.errors)")
            let files = try #require(try JSONSerialization.jsonObject(with: Data(listed.output.utf8)) as? [[String: Any]])
            #expect(Set(files.compactMap { $0["name"] as? String }) == Set(storedNames))
            #expect(files.first { $0["name"] as? String == renamed }?["sha256"] as? String == (try sha256Hex(ofFile: second)))
            #expect(files.allSatisfy { $0["uploader"] as? String == "alice" && $0["size"] is Int && $0["uploaded_at"] is String })
            let limited = try await cli.run(["ls", "--json", "-n", "1", "--sort", "name", "--order", "desc"])
            let limitedFiles = try JSONSerialization.jsonObject(with: Data(limited.output.utf8)) as? [[String: Any]]
            #expect(limitedFiles?.compactMap { $0["name"] as? String } == Array(storedNames.sorted(by: >).prefix(1)))
            let table = try await cli.run(["ls"])
            #expect(table.output.contains("NAME") && table.output.contains(renamed))

            let target = cli.path("downloads/copy.pdf")
            try FileManager.default.createDirectory(atPath: cli.path("downloads"), withIntermediateDirectories: true)
            let get = try await cli.run(["get", renamed, "-o", target])
            #expect(get.status == 0, "\(get.errors)")
            #expect(try sha256Hex(ofFile: target) == (try sha256Hex(ofFile: second)))

            let archive = cli.path("downloads/out.zip")
            let zip = try await cli.run(["get", "--last", "2", "-o", archive])
            #expect(zip.status == 0, "\(zip.errors)")
            let unzip = try await Command.run("unzip", ["-t", archive])
            #expect(unzip.status == 0, "\(unzip.output)")
            #expect(unzip.output.contains("report.pdf") && unzip.output.contains(renamed))

            let removed = try await cli.run(["rm", "report.pdf"])
            #expect(removed.status == 0, "\(removed.errors)")
            let afterRemove = try await cli.run(["ls", "--json"])
            #expect((try JSONSerialization.jsonObject(with: Data(afterRemove.output.utf8)) as? [[String: Any]])?.count == 1)
            let missing = try await cli.run(["rm", "report.pdf"])
            #expect(missing.status == 1)
            #expect(missing.errors.split(separator: "\n").count == 1, "one line: \(missing.errors)")

            let whoami = try await cli.run(["whoami"])
            #expect(whoami.status == 0 && whoami.output.hasPrefix("alice (user)"), "\(whoami.output)\(whoami.errors)")
            let logout = try await cli.run(["logout"])
            #expect(logout.status == 0, "\(logout.errors)")
            let afterLogout = try await cli.run(["ls"])
            #expect(afterLogout.status == 3)
            #expect(afterLogout.errors.contains("securedrop login"))
        }
    }

    @Test("usage errors exit 2; a missing server is a usage error too")
    func usageErrors() async throws {
        try await TestServer.with { server in
            let cli = try CLIRunner(server: server)
            defer { cli.remove() }
            #expect(try await cli.run(["ls", "--order", "sideways"]).status == 2)
            #expect(try await cli.run(["get"]).status == 2)
            #expect(try await cli.run(["ls", "--pin", "sha256:nope"]).status == 2)
            #expect(try await cli.run(["ls", "--host", "http://127.0.0.1:1"]).status == 2)
            #expect(try await cli.run(["ls"]).status == 3, "not logged in")
        }
    }

    @Test("a wrong pin is refused before any request: login fails with exit 1 and creates no session")
    func wrongPin() async throws {
        let logs = LogCapture()
        try await TestServer.with(logs: logs) { server in
            let cli = try CLIRunner(server: server)
            defer { cli.remove() }
            try await server.addUser("mallory", password: "mallory-password-1")
            let wrongPin = try PublicKeyPin(digest: randomBytes(32)).description
            let login = try await cli.run(["login", "mallory", "--password-stdin", "--pin", wrongPin], input: "mallory-password-1\n")
            #expect(login.status == 1)
            #expect(login.errors.contains("does not match the pin"), "\(login.errors)")
            #expect(login.errors.split(separator: "\n").count == 1)
            #expect(!logs.all.contains { $0.contains("/api/login") || $0.contains("Login") }, "no request may reach the server")
            #expect(!FileManager.default.fileExists(atPath: cli.configDirectory.appendingPathComponent(CredentialStore.fileName).path))
        }
    }

    @Test("the token file is 0600 in a 0700 directory, even one that existed with looser modes")
    func credentialModes() async throws {
        try await TestServer.with { server in
            let cli = try CLIRunner(server: server)
            defer { cli.remove() }
            try FileManager.default.createDirectory(at: cli.configDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
            #expect(try await cli.login().status == 0)
            let file = cli.configDirectory.appendingPathComponent(CredentialStore.fileName).path
            #expect(try posixMode(file) == 0o600)
            #expect(try posixMode(cli.configDirectory.path) == 0o700)
            let stored = try String(contentsOfFile: file, encoding: .utf8)
            #expect(stored.contains(try cli.pin), "the pin is stored for later commands")
            #expect(!stored.contains("alice-password-1"), "the password is never stored")
            // Later commands reuse the stored server and pin: no --host, no SECUREDROP_URL.
            let whoami = try await Command.run(
                CLIRunner.executable, ["whoami"],
                environment: ["HOME": cli.home.path, "XDG_CONFIG_HOME": cli.home.appendingPathComponent("config").path, "SECUREDROP_URL": ""]
            )
            #expect(whoami.status == 0, "\(whoami.errors)")
        }
    }

    @Test("an expired session exits 3 and says to log in again")
    func expiredToken() async throws {
        try await TestServer.with(configure: { $0.sessionTTL = .seconds(1) }) { server in
            let cli = try CLIRunner(server: server)
            defer { cli.remove() }
            #expect(try await cli.login().status == 0)
            try await Task.sleep(for: .seconds(2.2))
            let listed = try await cli.run(["ls"])
            #expect(listed.status == 3)
            #expect(listed.errors.contains("run `securedrop login`"), "\(listed.errors)")
        }
    }

    @Test("get resumes a partial file with a Range request and ends with the right hash")
    func resumeDownload() async throws {
        let logs = LogCapture()
        try await TestServer.with(logs: logs) { server in
            let cli = try CLIRunner(server: server)
            defer { cli.remove() }
            #expect(try await cli.login().status == 0)
            let content = randomBytes(1_500_000)
            let source = try cli.makeFile("big.bin", content)
            #expect(try await cli.run(["put", source]).status == 0)

            let target = try cli.makeFile("partial/big.bin", Array(content.prefix(600_000)))
            let get = try await cli.run(["get", "big.bin", "-o", target])
            #expect(get.status == 0, "\(get.errors)")
            #expect(try sha256Hex(ofFile: target) == sha256Hex(content))
            #expect(logs.all.contains { $0.contains("path=/api/files/big.bin") && $0.contains("status=206") && $0.contains("bytes=900000") })

            // A partial file that is not the start of this one is caught by the hash check.
            let wrong = try cli.makeFile("wrong/big.bin", randomBytes(600_000))
            let mismatch = try await cli.run(["get", "big.bin", "-o", wrong])
            #expect(mismatch.status == 1)
            #expect(mismatch.errors.contains("does not match"), "\(mismatch.errors)")
            let restarted = try await cli.run(["get", "big.bin", "-o", wrong, "--restart"])
            #expect(restarted.status == 0)
            #expect(try sha256Hex(ofFile: wrong) == sha256Hex(content))
        }
    }
}
