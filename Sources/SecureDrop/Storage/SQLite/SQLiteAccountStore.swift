import Foundation
import GRDB

/// ``AccountStore`` on the SQLite metadata database.
public struct SQLiteAccountStore: AccountStore {
    let database: SQLiteDatabase

    public init(database: SQLiteDatabase) {
        self.database = database
    }

    // MARK: Users

    public func user(named name: String) async throws -> UserRecord? {
        try await database.pool.read { db in
            try Row.fetchOne(db, sql: "SELECT \(Self.userColumns) FROM users WHERE name = ?", arguments: [name]).map(Self.user(from:))
        }
    }

    public func user(id: Int64) async throws -> UserRecord? {
        try await database.pool.read { db in
            try Row.fetchOne(db, sql: "SELECT \(Self.userColumns) FROM users WHERE id = ?", arguments: [id]).map(Self.user(from:))
        }
    }

    public func allUsers() async throws -> [UserRecord] {
        try await database.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT \(Self.userColumns) FROM users ORDER BY name").map(Self.user(from:))
        }
    }

    public func userCount() async throws -> Int {
        try await database.pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM users") ?? 0 }
    }

    public func createUser(name: String, role: Role, passwordHash: String) async throws -> UserRecord {
        let now = Date()
        return try await database.pool.write { db in
            if try Row.fetchOne(db, sql: "SELECT id FROM users WHERE name = ?", arguments: [name]) != nil {
                throw AccountStoreError.duplicateName(name)
            }
            try db.execute(
                sql: "INSERT INTO users (name, role, password_hash, created_at) VALUES (?, ?, ?, ?)",
                arguments: [name, role.rawValue, passwordHash, now.timeIntervalSince1970]
            )
            return UserRecord(id: db.lastInsertedRowID, name: name, role: role, passwordHash: passwordHash,
                              disabled: false, createdAt: now, lastLoginAt: nil, sessionGeneration: 0)
        }
    }

    public func setPasswordHash(userID: Int64, hash: String, endSessions: Bool) async throws {
        try await database.pool.write { db in
            try db.execute(
                sql: "UPDATE users SET password_hash = ?, session_generation = session_generation + ? WHERE id = ?",
                arguments: [hash, endSessions ? 1 : 0, userID]
            )
        }
    }

    public func setDisabled(userID: Int64, disabled: Bool) async throws {
        try await database.pool.write { db in
            if disabled { try Self.requireAnotherAdmin(besides: userID, db) }
            try db.execute(sql: "UPDATE users SET disabled = ? WHERE id = ?", arguments: [disabled, userID])
        }
    }

    public func setRole(userID: Int64, role: Role) async throws {
        try await database.pool.write { db in
            if role != .admin { try Self.requireAnotherAdmin(besides: userID, db) }
            try db.execute(sql: "UPDATE users SET role = ? WHERE id = ?", arguments: [role.rawValue, userID])
        }
    }

    public func deleteUser(id: Int64) async throws {
        try await database.pool.write { db in
            try Self.requireAnotherAdmin(besides: id, db)
            try db.execute(sql: "DELETE FROM users WHERE id = ?", arguments: [id])
        }
    }

    public func endSessions(userID: Int64) async throws {
        try await database.pool.write { db in
            try db.execute(sql: "UPDATE users SET session_generation = session_generation + 1 WHERE id = ?", arguments: [userID])
        }
    }

    public func recordLogin(userID: Int64, at date: Date) async throws {
        try await database.pool.write { db in
            try db.execute(sql: "UPDATE users SET last_login_at = ? WHERE id = ?", arguments: [date.timeIntervalSince1970, userID])
        }
    }

    /// Throws when `userID` is the only enabled admin (checked inside the write transaction,
    /// so two concurrent demotions cannot both pass).
    private static func requireAnotherAdmin(besides userID: Int64, _ db: Database) throws {
        let isEnabledAdmin = try Bool.fetchOne(db, sql: "SELECT role = 'admin' AND disabled = 0 FROM users WHERE id = ?", arguments: [userID]) ?? false
        guard isEnabledAdmin else { return }
        let others = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM users WHERE role = 'admin' AND disabled = 0 AND id != ?", arguments: [userID]) ?? 0
        if others == 0 { throw AccountStoreError.lastAdmin }
    }

    /// What ``user(from:)`` reads, in its order.
    static let userColumns = "id, name, role, password_hash, disabled, created_at, last_login_at, session_generation"

    private static func user(from row: some SQLiteColumns) -> UserRecord {
        UserRecord(
            id: row.integer(0),
            name: row.text(1),
            role: Role(rawValue: row.text(2)) ?? .user,
            passwordHash: row.text(3),
            disabled: row.integer(4) != 0,
            createdAt: Date(timeIntervalSince1970: row.real(5)),
            lastLoginAt: row.isNull(6) ? nil : Date(timeIntervalSince1970: row.real(6)),
            sessionGeneration: row.integer(7)
        )
    }

    // MARK: Signing keys

    public func signingKeys() async throws -> [SigningKey] {
        try await database.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM signing_keys ORDER BY created_at DESC").map { row in
                SigningKey(
                    id: row["id"],
                    secret: Array(row["secret"] as Data),
                    createdAt: Date(timeIntervalSince1970: row["created_at"]),
                    retiredAt: (row["retired_at"] as Double?).map(Date.init(timeIntervalSince1970:))
                )
            }
        }
    }

    public func addActiveSigningKey(_ key: SigningKey) async throws {
        try await database.pool.write { db in
            try db.execute(sql: "UPDATE signing_keys SET retired_at = ? WHERE retired_at IS NULL",
                           arguments: [key.createdAt.timeIntervalSince1970])
            try db.execute(sql: "INSERT INTO signing_keys (id, secret, created_at, retired_at) VALUES (?, ?, ?, NULL)",
                           arguments: [key.id, Data(key.secret), key.createdAt.timeIntervalSince1970])
        }
    }

    public func deleteSigningKeys(retiredAtOrBefore date: Date) async throws {
        try await database.pool.write { db in
            try db.execute(sql: "DELETE FROM signing_keys WHERE retired_at IS NOT NULL AND retired_at <= ?",
                           arguments: [date.timeIntervalSince1970])
        }
    }

    // MARK: Revocations

    public func revokeToken(id: String, expiresAt: Date) async throws {
        try await database.pool.write { db in
            try db.execute(sql: "INSERT OR REPLACE INTO revoked_tokens (id, expires_at) VALUES (?, ?)",
                           arguments: [id, expiresAt.timeIntervalSince1970])
        }
    }

    public func session(userID: Int64, tokenID: String) async throws -> SessionLookup {
        // This runs on every authenticated request: one prepared statement, no transaction
        // around it (a single SELECT reads one consistent snapshot), on the caller's thread
        // (see `SQLiteDatabase.readInline`).
        let found = try database.readInline { connection in
            try connection.fetchOne("""
                SELECT \(Self.userColumns), EXISTS (SELECT 1 FROM revoked_tokens WHERE id = ?1)
                FROM users WHERE id = ?2
                """, [.text(tokenID), .integer(userID)]
            ) { row in
                SessionLookup(user: Self.user(from: row), tokenRevoked: row.integer(8) != 0)
            }
        }
        return found ?? SessionLookup(user: nil, tokenRevoked: false)
    }

    public func deleteRevocations(expiredBefore date: Date) async throws {
        try await database.pool.write { db in
            try db.execute(sql: "DELETE FROM revoked_tokens WHERE expires_at < ?", arguments: [date.timeIntervalSince1970])
        }
    }
}
