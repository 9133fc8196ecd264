import Foundation
import Testing
@testable import SecureDrop

/// Every way a token must be refused, against the real session service and database.
@Suite("Session tokens")
struct SessionTokenTests {
    private func withAlice(_ body: (AccountFixture, IssuedToken) async throws -> Void) async throws {
        let fixture = try AccountFixture()
        defer { fixture.remove() }
        try await fixture.addUser("alice", password: "alice-password-1")
        let issued = try await fixture.sessions.login(username: "alice", password: "alice-password-1", clientAddress: "192.0.2.1")
        try await body(fixture, issued)
    }

    private func refusal(_ fixture: AccountFixture, _ token: String, now: Date = Date()) async -> TokenError? {
        do {
            _ = try await fixture.sessions.authenticate(token, now: now)
            return nil
        } catch {
            return error
        }
    }

    private func segments(_ token: String) -> [String] { token.split(separator: ".", omittingEmptySubsequences: false).map(String.init) }
    private func json(_ object: [String: Any]) -> String { Base64URL.encode(try! JSONSerialization.data(withJSONObject: object, options: .sortedKeys)) }

    @Test("A fresh token authenticates, with the claims of SPEC §3")
    func valid() async throws {
        try await withAlice { fixture, issued in
            let user = try await fixture.sessions.authenticate(issued.token)
            #expect(user.name == "alice")
            #expect(user.role == .user)
            let claims = try JSONSerialization.jsonObject(with: Data(Base64URL.decode(segments(issued.token)[1])!)) as! [String: Any]
            for claim in ["sub", "role", "iat", "nbf", "exp", "jti"] { #expect(claims[claim] != nil, "missing \(claim)") }
            #expect((claims["exp"] as! Int) - (claims["iat"] as! Int) == 1800)
            let header = try JSONSerialization.jsonObject(with: Data(Base64URL.decode(segments(issued.token)[0])!)) as! [String: Any]
            #expect(header["alg"] as? String == "HS256")
            #expect(header["kid"] != nil)
        }
    }

    @Test("Tampering: alg none / HS512 / RS256, unknown kid, bad signature, forged role, malformed input")
    func tamperMatrix() async throws {
        try await withAlice { fixture, issued in
            let parts = segments(issued.token)
            let header = try JSONSerialization.jsonObject(with: Data(Base64URL.decode(parts[0])!)) as! [String: Any]
            var claims = try JSONSerialization.jsonObject(with: Data(Base64URL.decode(parts[1])!)) as! [String: Any]
            let kid = header["kid"] as! String
            let key = try await fixture.accounts.keyRing.activeKey()

            #expect(await refusal(fixture, json(["alg": "none", "kid": kid]) + "." + parts[1] + ".") == .unsupportedAlgorithm("none"))
            let hs512Input = json(["alg": "HS512", "kid": kid, "typ": "JWT"]) + "." + parts[1]
            let hs512 = try await Command.run("python3", ["-c", "import hmac,hashlib,sys,base64; print(base64.urlsafe_b64encode(hmac.new(bytes.fromhex(sys.argv[1]), sys.argv[2].encode(), hashlib.sha512).digest()).decode().rstrip('='))",
                                                   key.secret.map { String(format: "%02x", $0) }.joined(), hs512Input]).output.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(await refusal(fixture, hs512Input + "." + hs512) == .unsupportedAlgorithm("HS512"))
            #expect(await refusal(fixture, json(["alg": "RS256", "kid": kid]) + "." + parts[1] + "." + parts[2]) == .unsupportedAlgorithm("RS256"))
            #expect(await refusal(fixture, json(["alg": "HS256", "kid": "no-such-key"]) + "." + parts[1] + "." + parts[2]) == .unknownKey)
            #expect(await refusal(fixture, json(["alg": "HS256"]) + "." + parts[1] + "." + parts[2]) == .unknownKey)

            // One flipped bit in the signature.
            var signature = Base64URL.decode(parts[2])!
            signature[0] ^= 1
            #expect(await refusal(fixture, parts[0] + "." + parts[1] + "." + Base64URL.encode(signature)) == .badSignature)
            // Promoting oneself: same signature, edited payload.
            claims["role"] = "admin"
            #expect(await refusal(fixture, parts[0] + "." + json(claims) + "." + parts[2]) == .badSignature)
            // Re-signed with a guessed key.
            let forged = JSONWebToken.sign(
                SessionClaims(sub: claims["sub"] as! String, name: "alice", role: "admin", iat: 0, nbf: 0, exp: 9_999_999_999, jti: "x", gen: 0),
                keyID: kid, key: Array(repeating: 0, count: 32))
            #expect(await refusal(fixture, forged) == .badSignature)

            for malformed in ["", "abc", "a.b", "a.b.c.d", "!!!.???.***", parts[0] + "." + parts[1], parts[0] + "==." + parts[1] + "." + parts[2],
                              Base64URL.encode(Array("[1,2]".utf8)) + "." + parts[1] + "." + parts[2], String(repeating: "A", count: 5000)] {
                #expect(await refusal(fixture, malformed) == .malformed, "\(malformed.prefix(40))")
            }
        }
    }

    @Test("Expired and not-yet-valid tokens are refused")
    func validityWindow() async throws {
        try await withAlice { fixture, issued in
            #expect(await refusal(fixture, issued.token, now: issued.expiresAt) == .expired)
            #expect(await refusal(fixture, issued.token, now: issued.expiresAt.addingTimeInterval(-1)) == nil)
            #expect(await refusal(fixture, issued.token, now: Date().addingTimeInterval(-60)) == .notYetValid)
            // Once verified, the token's signature is remembered; its window is still checked.
            #expect(await refusal(fixture, issued.token) == nil)
            #expect(await refusal(fixture, issued.token, now: issued.expiresAt) == .expired)
            #expect(await refusal(fixture, issued.token, now: issued.expiresAt.addingTimeInterval(3600)) == .expired)
        }
    }

    @Test("Logout revokes exactly that token")
    func logout() async throws {
        try await withAlice { fixture, issued in
            let other = try await fixture.sessions.login(username: "alice", password: "alice-password-1", clientAddress: "192.0.2.1")
            try await fixture.sessions.logout(try await fixture.sessions.authenticate(issued.token))
            #expect(await refusal(fixture, issued.token) == .revoked)
            #expect(await refusal(fixture, other.token) == nil)
        }
    }

    @Test("Disabled, deleted, password changed, sessions revoked: old tokens die; role changes apply at once")
    func userState() async throws {
        try await withAlice { fixture, issued in
            let store = fixture.store
            let alice = try #require(try await store.user(named: "alice"))
            try await fixture.addUser("root", password: "root-password-1", role: .admin)

            try await store.setRole(userID: alice.id, role: .admin)
            #expect(try await fixture.sessions.authenticate(issued.token).role == .admin)
            try await store.setRole(userID: alice.id, role: .user)
            #expect(try await fixture.sessions.authenticate(issued.token).role == .user)

            try await store.setDisabled(userID: alice.id, disabled: true)
            #expect(await refusal(fixture, issued.token) == .userDisabled)
            try await store.setDisabled(userID: alice.id, disabled: false)
            #expect(await refusal(fixture, issued.token) == nil)

            try await store.endSessions(userID: alice.id)
            #expect(await refusal(fixture, issued.token) == .sessionRevoked)

            let second = try await fixture.sessions.login(username: "alice", password: "alice-password-1", clientAddress: "192.0.2.1")
            try await store.setPasswordHash(userID: alice.id, hash: try await fixture.accounts.hasher.hash("alice-password-2"), endSessions: true)
            #expect(await refusal(fixture, second.token) == .sessionRevoked)
            // The new password works at once, in the same second.
            let third = try await fixture.sessions.login(username: "alice", password: "alice-password-2", clientAddress: "192.0.2.1")
            #expect(await refusal(fixture, third.token) == nil)

            try await store.deleteUser(id: alice.id)
            #expect(await refusal(fixture, third.token) == .unknownUser)
        }
    }

    @Test("Logins: wrong password, unknown user and disabled user all refused alike; throttled after five failures")
    func logins() async throws {
        try await withAlice { fixture, _ in
            let sessions = fixture.sessions
            await #expect(throws: LoginError.invalidCredentials) { try await sessions.login(username: "alice", password: "wrong", clientAddress: "192.0.2.2") }
            await #expect(throws: LoginError.invalidCredentials) { try await sessions.login(username: "mallory", password: "x", clientAddress: "192.0.2.3") }
            let alice = try #require(try await fixture.store.user(named: "ALICE"))  // names are case-insensitive
            try await fixture.addUser("root", password: "root-password-1", role: .admin)
            try await fixture.store.setDisabled(userID: alice.id, disabled: true)
            await #expect(throws: LoginError.invalidCredentials) { try await sessions.login(username: "alice", password: "alice-password-1", clientAddress: "192.0.2.4") }
            try await fixture.store.setDisabled(userID: alice.id, disabled: false)

            for _ in 0..<5 {
                await #expect(throws: LoginError.invalidCredentials) { try await sessions.login(username: "bob", password: "guess", clientAddress: "198.51.100.1") }
            }
            do {
                _ = try await sessions.login(username: "alice", password: "alice-password-1", clientAddress: "198.51.100.1")
                Issue.record("a throttled address could log in")
            } catch LoginError.throttled(let wait) {
                #expect(wait > .zero && wait <= .seconds(1))
            }
        }
    }

    @Test("Old hashes are upgraded to the current parameters at login")
    func rehashOnLogin() async throws {
        let fixture = try AccountFixture()
        defer { fixture.remove() }
        try await KeyRing.ensureActiveKey(store: fixture.store)
        let weak = try PasswordHasher.hash(Array("legacy-password".utf8), parameters: Argon2Parameters(memoryKiB: 8192, iterations: 2, parallelism: 1))
        let user = try await fixture.store.createUser(name: "legacy", role: .user, passwordHash: weak)
        _ = try await fixture.sessions.login(username: "legacy", password: "legacy-password", clientAddress: "192.0.2.9")
        let upgraded = try #require(try await fixture.store.user(id: user.id)).passwordHash
        #expect(upgraded != weak)
        #expect(PasswordHasher.parameters(of: upgraded) == fixture.configuration.argon2)
    }

    @Test("Tokens verify with a standard JWT library (PyJWT) given the key")
    func pyJWTInterop() async throws {
        try await withAlice { fixture, issued in
            let key = try await fixture.accounts.keyRing.activeKey()
            let script = """
                import jwt, sys
                claims = jwt.decode(sys.argv[1], bytes.fromhex(sys.argv[2]), algorithms=["HS256"])
                header = jwt.get_unverified_header(sys.argv[1])
                print(claims["role"], claims["sub"], header["kid"])
                """
            let result = try await Command.run("python3", ["-c", script, issued.token, key.secret.map { String(format: "%02x", $0) }.joined()])
            #expect(result.status == 0, "\(result.errors)")
            #expect(result.output.trimmingCharacters(in: .whitespacesAndNewlines) == "user \(issued.user.id) \(key.id)")
        }
    }
}

@Suite("Key ring")
struct KeyRingTests {
    @Test("Rotation: old tokens verify until their lifetime has passed; --revoke-all ends them at once")
    func rotation() async throws {
        let fixture = try AccountFixture(sessionTTL: .seconds(600))
        defer { fixture.remove() }
        try await fixture.addUser("alice", password: "alice-password-1")
        let before = try await fixture.sessions.login(username: "alice", password: "alice-password-1", clientAddress: "192.0.2.1")
        let oldKey = try await fixture.accounts.keyRing.activeKey()

        let newKey = try await KeyRing.rotate(store: fixture.store, sessionTTL: .seconds(600), revokeAll: false)
        try await fixture.accounts.keyRing.refresh()
        #expect(try await fixture.accounts.keyRing.activeKey().id == newKey.id)
        #expect(try await fixture.sessions.authenticate(before.token).name == "alice")
        let after = try await fixture.sessions.login(username: "alice", password: "alice-password-1", clientAddress: "192.0.2.1")
        #expect(try JSONWebToken.parse(after.token).keyID == newKey.id)

        // Ten minutes after the rotation the retired key no longer verifies anything.
        await #expect(throws: TokenError.unknownKey) {
            try await fixture.sessions.authenticate(before.token, now: Date().addingTimeInterval(601))
        }
        let keys = try await fixture.store.signingKeys()
        #expect(keys.count == 2)
        #expect(keys.first { $0.id == oldKey.id }?.retiredAt != nil)

        #expect(try await fixture.sessions.authenticate(after.token).name == "alice")
        try await KeyRing.rotate(store: fixture.store, sessionTTL: .seconds(600), revokeAll: true)
        try await fixture.accounts.keyRing.refresh()
        await #expect(throws: TokenError.unknownKey) { try await fixture.sessions.authenticate(after.token) }
        #expect(try await fixture.store.signingKeys().count == 1)
        let fresh = try await fixture.sessions.login(username: "alice", password: "alice-password-1", clientAddress: "192.0.2.1")
        #expect(try await fixture.sessions.authenticate(fresh.token).name == "alice")
    }

    @Test("A running server's key ring sees a rotation made by another process within seconds")
    func rotationReachesRunningServer() async throws {
        let fixture = try AccountFixture()
        defer { fixture.remove() }
        try await fixture.addUser("alice", password: "alice-password-1")
        _ = try await fixture.accounts.keyRing.activeKey()
        // A second, independent store on the same database, as securedrop-admin opens it.
        let admin = SQLiteAccountStore(database: try SQLiteDatabase(dataDirectory: fixture.configuration.dataDirectory))
        let rotated = try await KeyRing.rotate(store: admin, sessionTTL: .seconds(1800), revokeAll: true)
        var seen = ""
        for _ in 0..<40 where seen != rotated.id {
            try await Task.sleep(for: .milliseconds(100))
            seen = try await fixture.accounts.keyRing.activeKey().id
        }
        #expect(seen == rotated.id)
    }
}

@Suite("Base64url")
struct Base64URLTests {
    @Test("Agrees with Foundation's Base64 for every length, and decodes what it encodes")
    func agreesWithFoundation() {
        var generator = SystemRandomNumberGenerator()
        for length in 0...70 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let expected = Data(bytes).base64EncodedString()
                .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
                .replacingOccurrences(of: "=", with: "")
            #expect(Base64URL.encode(bytes) == expected)
            #expect(Base64URL.decode(expected) == bytes)
        }
        #expect(Base64URL.encode(Array("\u{FB}\u{FF}".utf8)) == "w7vDvw")
    }

    @Test("Refuses padding, whitespace, the standard alphabet, impossible lengths and stray bits")
    func strict() {
        for text in ["QQ==", "QQ=", "Q Q", "a+b/", "A", "AAAAA", "QR", "QUF", "QUJ"] {
            #expect(Base64URL.decode(text) == nil, "\(text)")
        }
        #expect(Base64URL.decode("QQ") == [0x41])
        #expect(Base64URL.decode("QUE") == [0x41, 0x41])
        #expect(Base64URL.decode("") == [])
    }
}
