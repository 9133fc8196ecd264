import Foundation
import NIOHTTP1
import Testing
@testable import SecureDrop

/// `securedrop-admin` as an operator runs it, against the data directory of a live server.
@Suite("securedrop-admin against a running server", .serialized)
struct AdminCommandTests {
    static var executable: String {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("securedrop-admin").path
    }

    private func admin(_ server: TestServer, _ arguments: [String], input: String? = nil) async throws -> Command.Result {
        try await Command.run(
            Self.executable, arguments + ["--data-dir", server.server.configuration.dataDirectory],
            input: input.map { Data($0.utf8) },
            environment: ["SECUREDROP_ARGON2_MEMORY_KIB": "8192", "SECUREDROP_ARGON2_ITERATIONS": "1"]
        )
    }

    private func me(_ server: TestServer, _ token: String) async throws -> HTTPSResponse {
        try await server.withConnection { try await $0.request(.GET, "/api/me", headers: ["Authorization": "Bearer \(token)"]) }
    }

    /// Polls until `condition` holds (the server re-reads keys every two seconds).
    private func eventually(_ condition: () async throws -> Bool) async throws -> Bool {
        for _ in 0..<50 {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return false
    }

    @Test("user add → login works; disable/enable, passwd and role apply to the live server")
    func userLifecycle() async throws {
        try await TestServer.with { server in
            let added = try await admin(server, ["user", "add", "alice", "--password-stdin"], input: "alice-password-1\n")
            #expect(added.status == 0, "\(added.errors)")
            let token = try await server.token("alice", password: "alice-password-1")
            #expect(try await me(server, token).status == .ok)

            #expect(try await admin(server, ["user", "role", "alice", "admin"]).status == 0)
            #expect(try await me(server, token).bodyText.contains(#""role":"admin""#))

            #expect(try await admin(server, ["user", "disable", "alice"]).status == 0)
            #expect(try await me(server, token).status == .unauthorized)
            await #expect(throws: TestServerError.self) { try await server.token("alice", password: "alice-password-1") }
            #expect(try await admin(server, ["user", "enable", "alice"]).status == 0)
            #expect(try await me(server, token).status == .ok)

            #expect(try await admin(server, ["user", "passwd", "alice", "--password-stdin"], input: "alice-password-2\n").status == 0)
            #expect(try await me(server, token).status == .unauthorized)
            let second = try await server.token("alice", password: "alice-password-2")
            #expect(try await admin(server, ["user", "revoke-sessions", "alice"]).status == 0)
            #expect(try await me(server, second).status == .unauthorized)

            let list = try await admin(server, ["user", "list", "--json"])
            let users = try JSONSerialization.jsonObject(with: Data(list.output.utf8)) as? [[String: Any]] ?? []
            #expect(users.contains { $0["name"] as? String == "alice" && $0["role"] as? String == "admin" && $0["last_login_at"] != nil })
            #expect(!list.output.contains("argon2"), "password hashes must not be listed")

            #expect(try await admin(server, ["user", "remove", "alice"]).status == 0)
            await #expect(throws: TestServerError.self) { try await server.token("alice", password: "alice-password-2") }
        }
    }

    @Test("secret rotate keeps sessions; --revoke-all ends every session while new logins work")
    func secretRotation() async throws {
        try await TestServer.with { server in
            #expect(try await admin(server, ["user", "add", "bob", "--password-stdin"], input: "bob-password-1\n").status == 0)
            let token = try await server.token("bob", password: "bob-password-1")

            #expect(try await admin(server, ["secret", "rotate"]).status == 0)
            let listed = try await admin(server, ["secret", "list", "--json"])
            let keys = try JSONSerialization.jsonObject(with: Data(listed.output.utf8)) as? [[String: Any]] ?? []
            #expect(keys.count == 2)
            #expect(keys.filter { $0["active"] as? Bool == true }.count == 1)
            #expect(keys.allSatisfy { $0["secret"] == nil })
            let activeID = keys.first { $0["active"] as? Bool == true }?["id"] as? String
            // Within seconds the running server signs with the new key, without a restart...
            var rotatedLogin = ""
            #expect(try await eventually {
                rotatedLogin = try await server.token("bob", password: "bob-password-1")
                return try JSONWebToken.parse(rotatedLogin).keyID == activeID
            })
            // ...and the token signed with the retired key still works.
            #expect(try await me(server, token).status == .ok)

            #expect(try await admin(server, ["secret", "rotate", "--revoke-all"]).status == 0)
            #expect(try await eventually { try await me(server, token).status == .unauthorized })
            #expect(try await me(server, rotatedLogin).status == .unauthorized)
            let fresh = try await server.token("bob", password: "bob-password-1")
            #expect(try await me(server, fresh).status == .ok)
        }
    }

    @Test("Exit codes: 2 for usage (including any attempt to pass a password in argv), 1 for errors")
    func exitCodes() async throws {
        try await TestServer.with { server in
            #expect(try await admin(server, ["user", "add", "eve", "--password", "secret-password"]).status == 2)
            #expect(try await admin(server, ["user", "add", "bad/name", "--password-stdin"], input: "long-enough-pw\n").status == 2)
            #expect(try await admin(server, ["user", "frobnicate"]).status == 2)
            let short = try await admin(server, ["user", "add", "eve", "--password-stdin"], input: "short\n")
            #expect(short.status == 1)
            #expect(short.errors.hasPrefix("securedrop-admin: "))
            #expect(short.errors.split(separator: "\n").count == 1)
            #expect(try await admin(server, ["user", "passwd", "nobody", "--password-stdin"], input: "long-enough-pw\n").status == 1)
            let noTerminal = try await admin(server, ["user", "add", "eve"])
            #expect(noTerminal.status == 1)
            #expect(noTerminal.errors.contains("--password-stdin"))
            // The first admin cannot be removed or demoted while it is the only one.
            #expect(try await admin(server, ["user", "remove", "admin"]).status == 1)
            #expect(try await admin(server, ["user", "role", "admin", "user"]).status == 1)
            #expect(try await admin(server, ["init"]).status == 1)
            #expect(try await admin(server, ["init", "--if-needed"]).status == 0)
        }
    }
}
