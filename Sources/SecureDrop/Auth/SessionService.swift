import Foundation

/// The user behind a verified token, with the role and state read from the database now,
/// not from the token.
public struct AuthenticatedUser: Sendable, Equatable {
    public let id: Int64
    public let name: String
    public let role: Role
    public let tokenID: String
    public let expiresAt: Date
}

/// A freshly issued session token.
public struct IssuedToken: Sendable {
    public let token: String
    public let expiresAt: Date
    public let user: UserRecord
}

/// Why a login was refused. Both cases look the same to a guesser except for the wait.
public enum LoginError: Error, Equatable, Sendable {
    /// Unknown user, wrong password or disabled account: never said which.
    case invalidCredentials
    /// Too many failures from this client or for this account.
    case throttled(retryAfter: Duration)
}

/// Logins, token checks and logouts: the one place the web UI, the JSON API and the seed
/// routes go through, so the rules cannot drift apart between them.
public final class SessionService: Sendable {
    public let store: any AccountStore
    public let hasher: PasswordHasher
    public let keyRing: KeyRing
    private let verifiedTokens = VerifiedTokenCache()
    public let throttle: LoginThrottle
    public let sessionTTL: Duration

    public init(store: any AccountStore, hasher: PasswordHasher, keyRing: KeyRing, throttle: LoginThrottle, sessionTTL: Duration) {
        self.store = store
        self.hasher = hasher
        self.keyRing = keyRing
        self.throttle = throttle
        self.sessionTTL = sessionTTL
    }

    /// Checks a password and issues a token.
    ///
    /// Every refusal costs one Argon2 verification, whether the user exists, is disabled or
    /// typed the wrong password, so response times do not reveal which names exist.
    ///
    /// - Parameter clientAddress: the resolved client address, for throttling.
    public func login(username: String, password: String, clientAddress: String) async throws -> IssuedToken {
        let keys = [ClientAddressResolver.throttleKey(for: clientAddress), Self.accountKey(username)]
        if let wait = throttle.retryAfter(keys) {
            throw LoginError.throttled(retryAfter: wait)
        }
        let candidate = try await store.user(named: username)
        let matches: Bool
        if let candidate {
            matches = await hasher.verify(password, against: candidate.passwordHash) && !candidate.disabled
        } else {
            matches = await hasher.verifyDecoy(password)
        }
        guard matches, var user = candidate else {
            throttle.recordFailure(keys)
            throw LoginError.invalidCredentials
        }
        throttle.recordSuccess(Self.accountKey(username))

        if hasher.needsRehash(user.passwordHash) {
            // Parameters were raised since this hash was made: upgrade it now that we know
            // the password. Sessions stay valid; it is the same password.
            let upgraded = try await hasher.hash(password)
            try await store.setPasswordHash(userID: user.id, hash: upgraded, endSessions: false)
            user.passwordHash = upgraded
        }
        let now = Date()
        try await store.recordLogin(userID: user.id, at: now)
        return try await issueToken(for: user, now: now)
    }

    func issueToken(for user: UserRecord, now: Date) async throws -> IssuedToken {
        let key = try await keyRing.activeKey()
        let issuedAt = Int64(now.timeIntervalSince1970.rounded(.down))
        let expiresAt = issuedAt + Int64(sessionTTL.components.seconds)
        let claims = SessionClaims(
            sub: String(user.id), name: user.name, role: user.role.rawValue,
            iat: issuedAt, nbf: issuedAt, exp: expiresAt,
            jti: try Random.token(bytes: 16), gen: user.sessionGeneration
        )
        let token = JSONWebToken.sign(claims, keyID: key.id, key: key.secret)
        return IssuedToken(token: token, expiresAt: Date(timeIntervalSince1970: TimeInterval(expiresAt)), user: user)
    }

    /// The user a token stands for, or why it does not stand for anyone.
    public func authenticate(_ token: String, now: Date = Date()) async throws(TokenError) -> AuthenticatedUser {
        let claims: SessionClaims
        if let verified = verifiedTokens.entry(for: token) {
            // Seen and verified before: the key must still be trusted and the window open.
            guard (try? await keyRing.verificationKey(id: verified.keyID, now: now)) != nil else { throw .unknownKey }
            try verified.claims.checkValidity(at: now)
            claims = verified.claims
        } else {
            let unverified = try JSONWebToken.parse(token)
            guard let key = try? await keyRing.verificationKey(id: unverified.keyID, now: now) else { throw .unknownKey }
            claims = try unverified.verify(key: key.secret, now: now)
            verifiedTokens.insert(.init(keyID: unverified.keyID, claims: claims), for: token)
        }
        guard let id = Int64(claims.sub), let session = try? await store.session(userID: id, tokenID: claims.jti) else { throw .unknownUser }
        guard !session.tokenRevoked else { throw .revoked }
        guard let user = session.user else { throw .unknownUser }
        guard !user.disabled else { throw .userDisabled }
        guard user.sessionGeneration == claims.gen else { throw .sessionRevoked }
        return AuthenticatedUser(
            id: user.id, name: user.name, role: user.role, tokenID: claims.jti,
            expiresAt: Date(timeIntervalSince1970: TimeInterval(claims.exp))
        )
    }

    /// Ends one session: its token id stays on the deny list until the token would have expired.
    public func logout(_ user: AuthenticatedUser) async throws {
        try await store.revokeToken(id: user.tokenID, expiresAt: user.expiresAt)
    }

    private static func accountKey(_ username: String) -> String {
        "user:" + username.lowercased()
    }
}
