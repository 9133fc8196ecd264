import Foundation
import GRDB

/// Why the metadata database could not be opened.
public enum DatabaseOpenError: Error, CustomStringConvertible, Sendable {
    case cannotCreateDirectory(path: String, reason: String)
    case cannotOpen(path: String, reason: String)

    public var description: String {
        switch self {
        case .cannotCreateDirectory(let path, let reason): "cannot create the data directory \(path): \(reason)"
        case .cannotOpen(let path, let reason): "cannot open the database \(path): \(reason)"
        }
    }
}

/// The SQLite metadata database in the data directory: WAL mode so the server and
/// `securedrop-admin` can use it at the same time, a busy timeout so neither fails on the
/// other's write lock, and versioned migrations from the first schema on.
///
/// The data directory is created 0700 and the database files 0600: they hold password
/// hashes and token signing keys.
public struct SQLiteDatabase: Sendable {
    public static let fileName = "securedrop.sqlite"

    let pool: DatabasePool
    /// Connections for ``readInline(_:)``, apart from `pool`.
    let inlineReaders: InlineReaders
    public let path: String

    /// Opens (creating and migrating as needed) the database in `dataDirectory`.
    public init(dataDirectory: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw DatabaseOpenError.cannotCreateDirectory(path: dataDirectory, reason: error.localizedDescription)
        }
        path = (dataDirectory as NSString).appendingPathComponent(Self.fileName)
        var configuration = GRDB.Configuration()
        configuration.busyMode = .timeout(10)
        configuration.foreignKeysEnabled = true
        configuration.label = "securedrop"
        do {
            // Files are created with the process umask; tighten it around their creation.
            let previousMask = umask(0o077)
            defer { umask(previousMask) }
            pool = try DatabasePool(path: path, configuration: configuration)
            try Self.migrator.migrate(pool)
            inlineReaders = InlineReaders(path: path)
        } catch {
            throw DatabaseOpenError.cannotOpen(path: path, reason: "\(error)")
        }
        for suffix in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: path + suffix) {
            chmod(path + suffix, 0o600)
        }
    }

    /// Runs one short read (a single indexed `SELECT`) on the calling thread, outside a
    /// transaction, instead of through GRDB's async API. Use it for point lookups only; lists
    /// and anything unbounded stay on the async API. See ``InlineReaders`` for why.
    func readInline<T>(_ body: (SQLiteReadConnection) throws -> T) throws -> T {
        try inlineReaders.read(body)
    }

    /// Schema history. Never edit a registered migration: add a new one.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("1-accounts") { db in
            try db.execute(sql: """
                CREATE TABLE users (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    name TEXT NOT NULL UNIQUE COLLATE NOCASE,
                    role TEXT NOT NULL CHECK (role IN ('admin', 'user')),
                    password_hash TEXT NOT NULL,
                    disabled INTEGER NOT NULL DEFAULT 0,
                    created_at REAL NOT NULL,
                    last_login_at REAL,
                    session_generation INTEGER NOT NULL DEFAULT 0
                );
                CREATE TABLE signing_keys (
                    id TEXT PRIMARY KEY,
                    secret BLOB NOT NULL,
                    created_at REAL NOT NULL,
                    retired_at REAL
                );
                CREATE TABLE revoked_tokens (
                    id TEXT PRIMARY KEY,
                    expires_at REAL NOT NULL
                );
                CREATE INDEX revoked_tokens_expiry ON revoked_tokens (expires_at);
                """)
        }
        migrator.registerMigration("2-files") { db in
            // Names compare case-insensitively so that `Report.pdf` and `report.pdf` cannot
            // both exist: they would collide in a ZIP opened on macOS or Windows.
            try db.execute(sql: """
                CREATE TABLE files (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    name TEXT NOT NULL UNIQUE COLLATE NOCASE,
                    size INTEGER NOT NULL CHECK (size >= 0),
                    sha256 TEXT NOT NULL,
                    crc32 INTEGER NOT NULL,
                    content_type TEXT NOT NULL,
                    uploaded_at REAL NOT NULL,
                    uploader_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
                    uploader_name TEXT NOT NULL,
                    blob TEXT NOT NULL UNIQUE
                );
                CREATE INDEX files_uploaded_at ON files (uploaded_at);
                """)
        }
        return migrator
    }
}
