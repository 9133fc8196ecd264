import Foundation

/// What a user may do beyond their own files.
public enum Role: String, Sendable, Codable, CaseIterable {
    case admin
    case user
}

/// The stored state a session token is checked against (``AccountStore/session(userID:tokenID:)``).
public struct SessionLookup: Sendable, Equatable {
    /// The token's user, or `nil` once removed.
    public var user: UserRecord?
    /// Whether the token id is on the deny list (logged out).
    public var tokenRevoked: Bool

    public init(user: UserRecord?, tokenRevoked: Bool) {
        self.user = user
        self.tokenRevoked = tokenRevoked
    }
}

/// A user as stored. The password is only ever present as an Argon2id PHC string.
public struct UserRecord: Sendable, Equatable {
    public var id: Int64
    public var name: String
    public var role: Role
    public var passwordHash: String
    public var disabled: Bool
    public var createdAt: Date
    public var lastLoginAt: Date?
    /// Incremented by a password change or `revoke-sessions`; tokens carry the value they
    /// were issued under and die when it moves on.
    public var sessionGeneration: Int64
}

/// A token signing key. The newest key without `retiredAt` signs; retired keys only verify,
/// until every token they can have signed has expired.
public struct SigningKey: Sendable, Equatable {
    public var id: String
    public var secret: [UInt8]
    public var createdAt: Date
    public var retiredAt: Date?

    public var isActive: Bool { retiredAt == nil }
}

/// Why an account operation failed, in words for the operator.
public enum AccountStoreError: Error, Equatable, CustomStringConvertible, Sendable {
    case duplicateName(String)
    case noSuchUser(String)
    case lastAdmin

    public var description: String {
        switch self {
        case .duplicateName(let name): "a user named \(name) already exists"
        case .noSuchUser(let name): "no user named \(name)"
        case .lastAdmin: "refusing to remove, disable or demote the last enabled admin"
        }
    }
}

/// Users, signing keys and revoked tokens: the account side of the metadata database.
///
/// Routes and services only see this protocol; ``SQLiteAccountStore`` implements it today,
/// and a PostgreSQL store can follow without touching them. Every method is safe to call
/// concurrently, from the server and from `securedrop-admin` at the same time.
public protocol AccountStore: Sendable {
    func user(named name: String) async throws -> UserRecord?
    func user(id: Int64) async throws -> UserRecord?
    func allUsers() async throws -> [UserRecord]
    func userCount() async throws -> Int

    /// Throws ``AccountStoreError/duplicateName(_:)`` when the name (case-insensitively) exists.
    func createUser(name: String, role: Role, passwordHash: String) async throws -> UserRecord
    /// Replaces the hash; with `endSessions`, also invalidates every token issued so far.
    func setPasswordHash(userID: Int64, hash: String, endSessions: Bool) async throws
    /// These three refuse to leave the installation without an enabled admin.
    func setDisabled(userID: Int64, disabled: Bool) async throws
    func setRole(userID: Int64, role: Role) async throws
    func deleteUser(id: Int64) async throws
    func endSessions(userID: Int64) async throws
    func recordLogin(userID: Int64, at date: Date) async throws

    func signingKeys() async throws -> [SigningKey]
    /// Adds `key` as the active key and retires the previously active one at `key.createdAt`.
    func addActiveSigningKey(_ key: SigningKey) async throws
    /// Deletes retired keys whose retirement is at or before `date`.
    func deleteSigningKeys(retiredAtOrBefore date: Date) async throws

    func revokeToken(id: String, expiresAt: Date) async throws
    /// Everything an authenticated request checks about its token, in one read: it runs on
    /// every request, so one round trip instead of two is worth a dedicated method.
    func session(userID: Int64, tokenID: String) async throws -> SessionLookup
    func deleteRevocations(expiredBefore date: Date) async throws
}
