import Foundation
import NIOCore
import NIOHTTP1
import Testing
@testable import SecureDrop

/// Login, session and logout over real TLS, as clients see them.
@Suite("Login and sessions over HTTPS", .serialized)
struct AuthRoutesTests {
    private func loginBody(_ name: String, _ password: String) -> ByteBuffer {
        ByteBuffer(string: #"{"username":"\#(name)","password":"\#(password)"}"#)
    }

    private func object(_ response: HTTPSResponse) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any] ?? [:]
    }

    @Test("login → me → logout → me is 401; the cookie has the SPEC §3 flags")
    func loginMeLogout() async throws {
        try await TestServer.with { server in
            try await server.addUser("alice", password: "alice-password-1")
            try await server.withConnection { connection in
                let login = try await connection.request(.POST, "/api/login", headers: ["Content-Type": "application/json"], body: loginBody("alice", "alice-password-1"))
                #expect(login.status == .ok)
                let answer = try object(login)
                #expect(answer["message"] as? String == "Login successful")
                let token = try #require(answer["token"] as? String)
                #expect(answer["expires_at"] is String)
                let cookie = try #require(login.head.headers["Set-Cookie"].first)
                #expect(cookie.hasPrefix("__Host-securedrop=\(token);"))
                for flag in ["Path=/", "Secure", "HttpOnly", "SameSite=Strict"] {
                    #expect(cookie.contains(flag), "cookie lacks \(flag)")
                }
                // The cookie ends with the token: 1800 s from issue, which (whole seconds, and a
                // loaded machine between issuing and answering) may read as 1799 by now.
                #expect(cookie.contains("Max-Age=1800") || cookie.contains("Max-Age=1799"), "\(cookie)")
                #expect(!cookie.contains("Domain="))

                let me = try await connection.request(.GET, "/api/me", headers: ["Authorization": "Bearer \(token)"])
                #expect(me.status == .ok)
                #expect(try object(me)["username"] as? String == "alice")
                #expect(try object(me)["role"] as? String == "user")
                // The cookie alone works too (seed-era cookie clients).
                let byCookie = try await connection.request(.GET, "/api/me", headers: ["Cookie": "__Host-securedrop=\(token)"])
                #expect(byCookie.status == .ok)

                let logout = try await connection.request(.GET, "/api/logout", headers: ["Authorization": "Bearer \(token)"])
                #expect(logout.status == .ok)
                #expect(logout.bodyText == #"{"message":"Logged out"}"#)
                #expect(logout.head.headers["Set-Cookie"].first?.contains("Max-Age=0") == true)

                let after = try await connection.request(.GET, "/api/me", headers: ["Authorization": "Bearer \(token)"])
                #expect(after.status == .unauthorized)
                #expect(after.bodyText == #"{"error":"unauthorized","message":"Unauthorized"}"#)
            }
        }
    }

    @Test("Wrong credentials get the seed's exact answer; bad bodies a 400")
    func refusals() async throws {
        try await TestServer.with { server in
            try await server.addUser("alice", password: "alice-password-1")
            try await server.withConnection { connection in
                for body in [loginBody("alice", "wrong"), loginBody("nobody", "alice-password-1")] {
                    let response = try await connection.request(.POST, "/api/login", headers: ["Content-Type": "application/json"], body: body)
                    #expect(response.status == .unauthorized)
                    #expect(response.bodyText == #"{"message":"Invalid credentials"}"#)
                    #expect(response.head.headers["Set-Cookie"].isEmpty)
                }
                for body in ["", "not json", #"{"username":1}"#, #"["alice","x"]"#] {
                    let response = try await connection.request(.POST, "/api/login", headers: ["Content-Type": "application/json"], body: ByteBuffer(string: body))
                    #expect(response.status == .badRequest, "\(body)")
                }
                let huge = try await connection.request(.POST, "/api/login", body: ByteBuffer(repeating: UInt8(ascii: "a"), count: 64 * 1024))
                #expect(huge.status == .payloadTooLarge)
            }
        }
    }

    @Test("Brute force: the sixth failure in a row is answered 429 with Retry-After")
    func throttled() async throws {
        try await TestServer.with { server in
            try await server.addUser("alice", password: "alice-password-1")
            try await server.withConnection { connection in
                var statuses: [UInt] = []
                for attempt in 0..<7 {
                    let response = try await connection.request(.POST, "/api/login", body: loginBody("alice", "guess-\(attempt)"))
                    statuses.append(response.status.code)
                    if response.status == .tooManyRequests {
                        let retry = try #require(response.head.headers["Retry-After"].first.flatMap { Int($0) })
                        #expect(retry >= 1)
                    }
                }
                #expect(statuses == [401, 401, 401, 401, 401, 429, 429])
                // Even the right password waits.
                let right = try await connection.request(.POST, "/api/login", body: loginBody("alice", "alice-password-1"))
                #expect(right.status == .tooManyRequests)
            }
        }
    }

    @Test("A spoofed X-Forwarded-For does not escape throttling")
    func spoofedForwardedFor() async throws {
        try await TestServer.with { server in
            try await server.withConnection { connection in
                var last: UInt = 0
                for attempt in 0..<6 {
                    last = try await connection.request(.POST, "/api/login", headers: ["X-Forwarded-For": "10.0.0.\(attempt)"],
                                                        body: loginBody("user\(attempt)", "guess")).status.code
                }
                #expect(last == 429)
            }
        }
    }

    @Test("Cross-origin state-changing requests are refused; same-origin and Origin-less ones pass")
    func origin() async throws {
        try await TestServer.with { server in
            try await server.addUser("alice", password: "alice-password-1")
            try await server.withConnection { connection in
                let evil = try await connection.request(.POST, "/api/login", headers: ["Origin": "https://evil.example"], body: loginBody("alice", "alice-password-1"))
                #expect(evil.status == .forbidden)
                #expect(evil.head.headers["Set-Cookie"].isEmpty)
                let own = try await connection.request(.POST, "/api/login", headers: ["Origin": "https://localhost", "Host": "localhost"], body: loginBody("alice", "alice-password-1"))
                #expect(own.status == .ok)
            }
        }
    }

    @Test("Disabling a user or changing the password ends their sessions at once")
    func accountChanges() async throws {
        try await TestServer.with { server in
            let alice = try await server.addUser("alice", password: "alice-password-1")
            let token = try await server.token("alice", password: "alice-password-1")
            let store = server.server.accounts.store
            func me(_ token: String) async throws -> HTTPResponseStatus {
                try await server.withConnection { try await $0.request(.GET, "/api/me", headers: ["Authorization": "Bearer \(token)"]).status }
            }
            #expect(try await me(token) == .ok)
            try await store.setDisabled(userID: alice.id, disabled: true)
            #expect(try await me(token) == .unauthorized)
            try await store.setDisabled(userID: alice.id, disabled: false)
            #expect(try await me(token) == .ok)
            try await store.setPasswordHash(userID: alice.id, hash: try await server.server.accounts.hasher.hash("alice-password-2"), endSessions: true)
            #expect(try await me(token) == .unauthorized)
            #expect(try await me(try await server.token("alice", password: "alice-password-2")) == .ok)
        }
    }

    @Test("The seed's Python client style (requests with a cookie jar) logs in and out")
    func seedStyleClient() async throws {
        try await TestServer.with { server in
            try await server.addUser("alice", password: "alice-password-1")
            let script = """
                import os, requests, sys
                # requests lets these override Session.verify; this machine sets them.
                os.environ.pop("REQUESTS_CA_BUNDLE", None)
                os.environ.pop("CURL_CA_BUNDLE", None)
                s = requests.Session()
                s.verify = sys.argv[1]
                base = "https://localhost:" + sys.argv[2]
                r = s.post(base + "/api/login", json={"username": "alice", "password": "alice-password-1"})
                assert r.status_code == 200 and r.json()["message"] == "Login successful", r.text
                r = s.get(base + "/api/me")
                assert r.status_code == 200 and r.json()["username"] == "alice", r.text
                r = s.get(base + "/api/logout")
                assert r.json() == {"message": "Logged out"}, r.text
                r = s.get(base + "/api/me")
                assert r.status_code == 401, r.text
                print("ok")
                """
            let result = try await Command.run("python3", ["-c", script, server.certificatePath, String(server.port)])
            #expect(result.status == 0, "\(result.errors)")
            #expect(result.output.contains("ok"))
        }
    }
}
