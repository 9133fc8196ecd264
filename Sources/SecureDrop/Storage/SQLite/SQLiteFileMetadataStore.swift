import Foundation
import GRDB

/// ``FileMetadataStore`` on the SQLite metadata database.
///
/// Write transactions are serialised by SQLite, so two uploads of the same name at the same
/// moment cannot both take it: the second sees the first's row and picks the next free name.
public struct SQLiteFileMetadataStore: FileMetadataStore {
    let database: SQLiteDatabase
    /// How many `name-N` variants an upload tries before giving up.
    static let maximumSuffix = 9999

    public init(database: SQLiteDatabase) {
        self.database = database
    }

    public func file(named name: String) async throws -> FileRecord? {
        // Every download asks: one prepared statement, no transaction around it (a single
        // SELECT reads one consistent snapshot), on the caller's thread (see
        // `SQLiteDatabase.readInline`).
        let found = try database.readInline { connection in
            try connection.fetchOne("SELECT \(Self.columns) FROM files WHERE name = ?1", [.text(name)], decode: Self.record(from:))
        }
        return found ?? nil
    }

    public func files(order: FileOrder, limit: Int?) async throws -> [FileRecord] {
        let orderBy = switch order {
        case .oldestFirst: "uploaded_at ASC, id ASC"
        case .newestFirst: "uploaded_at DESC, id DESC"
        case .nameAscending: "name ASC"
        case .nameDescending: "name DESC"
        }
        return try await database.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT \(Self.columns) FROM files ORDER BY \(orderBy) LIMIT ?", arguments: [limit ?? -1])
                .compactMap(Self.record(from:))
        }
    }

    public func insert(_ files: [FileRecord], policy: NameConflictPolicy) async throws -> [FileInsertion] {
        try await database.pool.write { db in
            try files.map { file in try Self.insert(file, policy: policy, db: db) }
        }
    }

    private static func insert(_ file: FileRecord, policy: NameConflictPolicy, db: Database) throws -> FileInsertion {
        var stored = file
        var replaced: FileRecord?
        if let existing = try Row.fetchOne(db, sql: "SELECT \(Self.columns) FROM files WHERE name = ?", arguments: [file.name]).flatMap(record(from:)) {
            switch policy {
            case .rename:
                guard let free = try FileName.candidates(for: file.name).dropFirst().prefix(maximumSuffix).first(where: { candidate in
                    try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM files WHERE name = ?", arguments: [candidate]) == 0
                }) else {
                    throw FileMetadataError.noFreeName(file.name)
                }
                stored.name = free
            case .replace(let mayReplace):
                guard mayReplace(existing) else { throw FileMetadataError.forbidden(existing.name) }
                try db.execute(sql: "DELETE FROM files WHERE name = ?", arguments: [existing.name])
                // The replacement keeps the name exactly as first stored.
                stored.name = existing.name
                replaced = existing
            }
        }
        try db.execute(
            sql: """
                INSERT INTO files (name, size, sha256, crc32, content_type, uploaded_at, uploader_id, uploader_name, blob)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                stored.name, Int64(stored.size), stored.sha256, Int64(stored.crc32), stored.contentType,
                stored.uploadedAt.timeIntervalSince1970, stored.uploaderID, stored.uploaderName, stored.blob.rawValue,
            ]
        )
        return FileInsertion(record: stored, replaced: replaced)
    }

    public func delete(named name: String, mayDelete: @Sendable (FileRecord) -> Bool) async throws -> FileRecord? {
        try await database.pool.write { db in
            guard let existing = try Row.fetchOne(db, sql: "SELECT \(Self.columns) FROM files WHERE name = ?", arguments: [name]).flatMap(Self.record(from:)) else {
                return nil
            }
            guard mayDelete(existing) else { throw FileMetadataError.forbidden(existing.name) }
            try db.execute(sql: "DELETE FROM files WHERE name = ?", arguments: [existing.name])
            return existing
        }
    }

    public func allBlobs() async throws -> Set<BlobID> {
        try await database.pool.read { db in
            Set(try String.fetchAll(db, sql: "SELECT blob FROM files").compactMap(BlobID.init))
        }
    }

    /// What ``record(from:)`` reads, in its order.
    static let columns = "name, size, sha256, crc32, content_type, uploaded_at, uploader_id, uploader_name, blob"

    /// A row of ``columns`` as a record; `nil` for a row whose blob column is not a valid
    /// identifier, which only a hand-edited database can contain.
    static func record(from row: some SQLiteColumns) -> FileRecord? {
        guard let blob = BlobID(row.text(8)) else { return nil }
        return FileRecord(
            name: row.text(0),
            size: UInt64(max(0, row.integer(1))),
            sha256: row.text(2),
            crc32: UInt32(truncatingIfNeeded: row.integer(3)),
            contentType: row.text(4),
            uploadedAt: Date(timeIntervalSince1970: row.real(5)),
            uploaderID: row.isNull(6) ? nil : row.integer(6),
            uploaderName: row.text(7),
            blob: blob
        )
    }
}
