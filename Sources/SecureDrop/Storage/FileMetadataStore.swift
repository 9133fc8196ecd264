import Foundation

/// A stored file as users see it. The bytes live in a ``BlobStore`` under ``blob``.
public struct FileRecord: Sendable, Equatable {
    /// Unique, slugified (see ``FileName``); what routes and the list show.
    public var name: String
    public var size: UInt64
    /// Lower-case hexadecimal SHA-256 of the content: the download ETag and what `verify` checks.
    public var sha256: String
    /// CRC-32 of the content, which ZIP entries need before their data is sent.
    public var crc32: UInt32
    public var contentType: String
    public var uploadedAt: Date
    /// The uploader's id while the account exists; `nil` after it was removed.
    public var uploaderID: Int64?
    /// The uploader's name, kept after the account is removed.
    public var uploaderName: String
    public var blob: BlobID

    public init(name: String, size: UInt64, sha256: String, crc32: UInt32, contentType: String,
                uploadedAt: Date, uploaderID: Int64?, uploaderName: String, blob: BlobID) {
        self.name = name
        self.size = size
        self.sha256 = sha256
        self.crc32 = crc32
        self.contentType = contentType
        self.uploadedAt = uploadedAt
        self.uploaderID = uploaderID
        self.uploaderName = uploaderName
        self.blob = blob
    }
}

/// Sort orders of the file list (the seed sorted by upload date).
public enum FileOrder: String, Sendable, CaseIterable {
    case oldestFirst
    case newestFirst
    case nameAscending
    case nameDescending
}

/// What to do when an upload's name is taken.
public enum NameConflictPolicy: Sendable {
    /// Store under the first free `name-N.ext` (the default: nothing is ever silently replaced).
    case rename
    /// Replace the existing file when `mayReplace` allows it (its uploader, or an admin);
    /// otherwise the insertion fails with ``FileMetadataError/forbidden(_:)``.
    case replace(mayReplace: @Sendable (FileRecord) -> Bool)
}

/// The outcome of inserting one file.
public struct FileInsertion: Sendable, Equatable {
    /// The record as stored, with its final name.
    public var record: FileRecord
    /// The file it replaced, whose blob the caller must now remove.
    public var replaced: FileRecord?
}

public enum FileMetadataError: Error, Equatable, CustomStringConvertible, Sendable {
    /// Every `name-N` up to the limit is taken.
    case noFreeName(String)
    /// Replacing or deleting a file that is neither the caller's nor allowed by their role.
    case forbidden(String)

    public var description: String {
        switch self {
        case .noFreeName(let name): "no free name is left for \(name)"
        case .forbidden(let name): "only the uploader of \(name) or an admin may replace or delete it"
        }
    }
}

/// File metadata: names, sizes, hashes, uploaders. ``SQLiteFileMetadataStore`` implements it;
/// routes and services only see the protocol.
public protocol FileMetadataStore: Sendable {
    func file(named name: String) async throws -> FileRecord?
    /// At most `limit` files (all when `nil`) in `order`.
    func files(order: FileOrder, limit: Int?) async throws -> [FileRecord]
    /// Inserts all `files` in one transaction, choosing final names per `policy`: either every
    /// file is recorded or none is. The names in `files` are the requested ones.
    func insert(_ files: [FileRecord], policy: NameConflictPolicy) async throws -> [FileInsertion]
    /// Deletes the record when `mayDelete` allows it (else ``FileMetadataError/forbidden(_:)``);
    /// returns it (its blob is the caller's to remove), or `nil` when there is no such file.
    func delete(named name: String, mayDelete: @Sendable (FileRecord) -> Bool) async throws -> FileRecord?
    /// Every file's blob, for consistency checks.
    func allBlobs() async throws -> Set<BlobID>
}
