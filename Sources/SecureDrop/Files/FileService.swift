import Foundation
import Logging
public import NIOCore

/// Everything routes do with files, in one place: the seed-compatible API, the REST API, the
/// web pages and `securedrop-admin` all call this, so naming, limits, permissions and
/// atomicity rules exist once.
///
/// It sees storage only through ``BlobStore`` and ``FileMetadataStore``.
public struct FileService: Sendable {
    public let blobs: any BlobStore
    public let metadata: any FileMetadataStore
    /// The largest request body an upload may have, in bytes.
    public let maximumUploadBytes: Int64
    /// Where uploaders' current role and state are read at commit time; `nil` trusts the
    /// request's snapshot (tools without accounts).
    let accounts: (any AccountStore)?
    let logger: Logger

    public init(blobs: any BlobStore, metadata: any FileMetadataStore, accounts: (any AccountStore)?, maximumUploadBytes: Int64, logger: Logger) {
        self.blobs = blobs
        self.metadata = metadata
        self.accounts = accounts
        self.maximumUploadBytes = maximumUploadBytes
        self.logger = logger
    }

    /// The local-filesystem store and the SQLite metadata for a data directory.
    public static func open(configuration: Configuration, accounts: AccountServices, logger: Logger) throws -> FileService {
        FileService(
            blobs: try LocalBlobStore(dataDirectory: configuration.dataDirectory),
            metadata: SQLiteFileMetadataStore(database: accounts.database),
            accounts: accounts.store,
            maximumUploadBytes: configuration.maxUploadBytes,
            logger: logger
        )
    }

    /// Removes what a crash can leave behind: unfinished uploads, and stored bytes whose
    /// metadata row was never written (a crash between the two) or already deleted. Only
    /// safe while nothing is being uploaded: the server calls it once, before it listens.
    /// - Returns: how many leftovers were removed.
    public func removeLeftovers() async throws -> Int {
        var removed = try await blobs.sweepUncommitted()
        let recorded = try await metadata.allBlobs()
        for orphan in try await blobs.allBlobs() where !recorded.contains(orphan) {
            try await blobs.remove(orphan)
            removed += 1
        }
        return removed
    }

    // MARK: Reading

    public func list(order: FileOrder = .oldestFirst, limit: Int? = nil) async throws -> [FileRecord] {
        try await metadata.files(order: order, limit: limit)
    }

    /// The file called `name`, or ``FileServiceError/notFound(_:)``. A name that slugify could
    /// never have produced is not looked up at all.
    public func file(named name: String) async throws -> FileRecord {
        guard FileName.isValid(name), let record = try await metadata.file(named: name) else {
            throw FileServiceError.notFound(name)
        }
        return record
    }

    /// Streams a file's bytes (or one range of them) to `consume`: exactly the recorded size,
    /// never more, and an error rather than silence if the stored bytes are shorter, because
    /// the response has already promised a `Content-Length`.
    public func read(_ record: FileRecord, range: ClosedRange<UInt64>? = nil, into consume: (ByteBuffer) async throws -> Void) async throws {
        guard record.size > 0 else { return }
        do {
            try await blobs.read(record.blob, range: range ?? 0...(record.size - 1), into: consume)
        } catch let error as BlobStoreError {
            logger.error("Cannot read a stored file", metadata: ["file": .string(record.name), "error": .string(error.description)])
            throw FileServiceError.storageFailure
        }
    }

    /// A whole small file (or one range of it) in one buffer: what a download sends when the
    /// body is small enough that streaming's per-chunk round trips would cost more than the copy.
    public func contents(of record: FileRecord, range: ClosedRange<UInt64>? = nil) async throws -> ByteBuffer {
        guard record.size > 0 else { return ByteBuffer() }
        do {
            return try await blobs.contents(of: record.blob, range: range ?? 0...(record.size - 1))
        } catch let error as BlobStoreError {
            logger.error("Cannot read a stored file", metadata: ["file": .string(record.name), "error": .string(error.description)])
            throw FileServiceError.storageFailure
        }
    }

    // MARK: Writing

    /// Starts receiving a file that the client calls `originalName`.
    ///
    /// The name is slugified first, so a bad name fails before any byte is stored.
    public func beginUpload(originalName: String, uploader: AuthenticatedUser) async throws -> PendingUpload {
        let name: String
        do {
            name = try FileName.slugify(originalName)
        } catch {
            throw FileServiceError.invalidName(error)
        }
        let writer = try await Self.mapStorageErrors { try await blobs.makeWriter() }
        return PendingUpload(requestedName: name, uploader: uploader, writer: writer)
    }

    /// Makes `uploads` durable and visible, all or none: each blob is synced and committed,
    /// then every record is inserted in one transaction. On any failure every blob is removed
    /// again, so a failed request leaves neither a file nor a row.
    ///
    /// - Parameter overwrite: replace same-named files (their uploader's or any for an admin)
    ///   instead of choosing `name-N`.
    /// - Returns: the records as stored, with their final names, in the order given.
    public func commit(_ uploads: [PendingUpload], overwrite: Bool) async throws -> [FileRecord] {
        var committed: [BlobID] = []
        do {
            // An upload can take minutes: decide with the uploader's role as it is now, not
            // as it was when the request started (a demoted or disabled admin must not
            // overwrite other users' files with a long-running upload).
            let uploader = try await currentState(of: uploads.first?.uploader)
            var records: [FileRecord] = []
            for upload in uploads {
                try await upload.finish()
                try await Self.mapStorageErrors { try await upload.writer.commit() }
                committed.append(upload.writer.id)
                records.append(upload.record())
            }
            let policy: NameConflictPolicy = overwrite
                ? .replace(mayReplace: { existing in uploader.map { Self.mayModify(existing, as: $0) } ?? false })
                : .rename
            let insertions = try await metadata.insert(records, policy: policy)
            for replaced in insertions.compactMap(\.replaced) {
                try? await blobs.remove(replaced.blob)
            }
            for insertion in insertions {
                logger.info("Stored a file", metadata: [
                    "file": .string(insertion.record.name), "bytes": .stringConvertible(insertion.record.size),
                    "user": .string(insertion.record.uploaderName), "replaced": .stringConvertible(insertion.replaced != nil),
                ])
            }
            return insertions.map(\.record)
        } catch {
            for upload in uploads { await upload.writer.abort() }
            for blob in committed { try? await blobs.remove(blob) }
            switch error {
            case FileMetadataError.forbidden(let name): throw FileServiceError.forbidden(name)
            case FileMetadataError.noFreeName(let name): throw FileServiceError.noFreeName(name)
            default: throw error
            }
        }
    }

    /// Deletes `name` when `user` uploaded it or is an admin.
    public func delete(named name: String, by user: AuthenticatedUser) async throws -> FileRecord {
        try await delete(named: name, actor: user.name) { Self.mayModify($0, as: user) }
    }

    /// Deletes `name` for the operator (`securedrop-admin files remove`), whoever uploaded it.
    public func deleteAsOperator(named name: String) async throws -> FileRecord {
        try await delete(named: name, actor: "securedrop-admin") { _ in true }
    }

    private func delete(named name: String, actor: String, mayDelete: @escaping @Sendable (FileRecord) -> Bool) async throws -> FileRecord {
        guard FileName.isValid(name) else { throw FileServiceError.notFound(name) }
        let deleted: FileRecord?
        do {
            deleted = try await metadata.delete(named: name, mayDelete: mayDelete)
        } catch FileMetadataError.forbidden(let name) {
            throw FileServiceError.forbidden(name)
        }
        guard let deleted else { throw FileServiceError.notFound(name) }
        // The row is gone, so the file is gone for everyone; a blob that cannot be removed
        // now is an orphan that `securedrop-admin files verify` reports.
        try? await blobs.remove(deleted.blob)
        logger.info("Deleted a file", metadata: ["file": .string(deleted.name), "user": .string(actor)])
        return deleted
    }

    /// `user` with their current role; throws ``FileServiceError/forbidden(_:)`` when the
    /// account was removed or disabled meanwhile.
    private func currentState(of user: AuthenticatedUser?) async throws -> AuthenticatedUser? {
        guard let user, let accounts else { return user }
        guard let record = try await accounts.user(id: user.id), !record.disabled else {
            throw FileServiceError.accountGone
        }
        return AuthenticatedUser(id: user.id, name: record.name, role: record.role, tokenID: user.tokenID, expiresAt: user.expiresAt)
    }

    /// Files belong to their uploader; admins may change anything.
    static func mayModify(_ file: FileRecord, as user: AuthenticatedUser) -> Bool {
        user.role == .admin || file.uploaderID == user.id
    }

    /// Turns storage failures into the client-facing errors (a full disk is `507`, not `500`).
    static func mapStorageErrors<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch BlobStoreError.insufficientStorage {
            throw FileServiceError.insufficientStorage
        }
    }
}

/// One file being received: its bytes go to an uncommitted blob while SHA-256, CRC-32 and the
/// size are computed on the way, so nothing has to be re-read afterwards.
///
/// Owned by the one task handling the upload.
public final class PendingUpload {
    public let requestedName: String
    let uploader: AuthenticatedUser
    let writer: any BlobWriter
    private let digest = UploadDigest()
    public private(set) var size: UInt64 = 0
    /// Request bodies arrive in pieces of a TLS record or so; each write to the store costs a
    /// thread hop and a system call, so pieces are gathered into writes of this size.
    static let writeSize = 1 << 20
    private var pending = ByteBuffer()
    /// The gathered chunk being hashed and stored, off the connection's event loop, while the
    /// next one arrives: decrypting, hashing and writing then overlap instead of taking turns.
    /// One at a time, so an upload holds at most two chunks in memory.
    private var inFlight: Task<Void, any Error>?

    init(requestedName: String, uploader: AuthenticatedUser, writer: any BlobWriter) {
        self.requestedName = requestedName
        self.uploader = uploader
        self.writer = writer
    }

    /// The file's bytes are complete: flush them to disk and close the file now (a request
    /// with many parts then holds one open file at a time).
    public func finish() async throws {
        try await FileService.mapStorageErrors {
            try await flush()
            try await waitForInFlight()
            try await writer.finish()
        }
    }

    public func write(_ buffer: ByteBuffer) async throws {
        size += UInt64(buffer.readableBytes)
        var buffer = buffer
        pending.writeBuffer(&buffer)
        if pending.readableBytes >= Self.writeSize {
            try await FileService.mapStorageErrors { try await flush() }
        }
    }

    /// Hands the gathered bytes to a new in-flight job, once the previous one is done.
    private func flush() async throws {
        guard pending.readableBytes > 0 else { return }
        let chunk = pending
        pending = ByteBuffer()
        try await waitForInFlight()
        let (digest, writer) = (self.digest, self.writer)
        inFlight = Task(executorPreference: globalConcurrentExecutor) {
            digest.update(chunk)
            try await writer.write(chunk)
        }
    }

    private func waitForInFlight() async throws {
        let job = inFlight
        inFlight = nil
        try await job?.value
    }

    /// Throws the bytes away.
    public func abort() async {
        try? await waitForInFlight()
        await writer.abort()
    }

    fileprivate func record() -> FileRecord {
        FileRecord(
            name: requestedName,
            size: size,
            sha256: digest.sha256Hex(),
            crc32: digest.crc32,
            contentType: ContentTypePolicy.contentType(forFileName: requestedName),
            uploadedAt: Date(),
            uploaderID: uploader.id,
            uploaderName: uploader.name,
            blob: writer.id
        )
    }
}

/// SHA-256 and CRC-32 of an upload, updated by one in-flight job at a time (``PendingUpload``
/// waits for each job before it starts the next, and for the last before it reads the
/// result), which is what makes handing it between threads safe.
private final class UploadDigest: @unchecked Sendable {
    private let sha256 = SHA256Hasher()
    private var crc = CRC32()

    func update(_ buffer: ByteBuffer) {
        sha256.update(buffer)
        crc.update(buffer)
    }

    func sha256Hex() -> String { sha256.finishHex() }
    var crc32: UInt32 { crc.value }
}
