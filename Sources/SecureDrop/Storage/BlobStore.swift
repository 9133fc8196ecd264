public import NIOCore

/// The server-chosen name of a stored file's bytes.
///
/// Blob identifiers are random (128 bits, hexadecimal), never derived from anything a client
/// sent: a user-visible file name is metadata only and is never joined onto a path.
public struct BlobID: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String

    /// Accepts only the shape ``random()`` produces, so an identifier read back from the
    /// database or a directory listing cannot smuggle a path either.
    public init?(_ rawValue: String) {
        guard rawValue.utf8.count == 32, rawValue.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }) else {
            return nil
        }
        self.rawValue = rawValue
    }

    public static func random() throws -> BlobID {
        let hex = try Random.bytes(16).map { byte in
            let digits = String(byte, radix: 16)
            return byte < 16 ? "0" + digits : digits
        }.joined()
        return BlobID(hex)!  // 32 lower-case hex digits by construction
    }

    public var description: String { rawValue }
}

/// Why the blob store failed, mapped to HTTP statuses by the file service.
public enum BlobStoreError: Error, Equatable, CustomStringConvertible, Sendable {
    /// The disk (or quota) is full: `507 Insufficient Storage`.
    case insufficientStorage
    /// The blob the metadata points to is gone: an operator removed it, or the disk lost it.
    case missing(BlobID)
    /// Any other I/O failure, with the system's words (never shown to HTTP clients).
    case io(operation: String, reason: String)

    public var description: String {
        switch self {
        case .insufficientStorage: "the storage is full"
        case .missing(let id): "blob \(id) is missing"
        case .io(let operation, let reason): "\(operation) failed: \(reason)"
        }
    }
}

/// Where file bytes live. ``LocalBlobStore`` keeps them in the data directory; an object
/// storage backend can implement the same protocol without touching routes or metadata.
///
/// A blob is written through a ``BlobWriter`` into a temporary place and becomes visible
/// only when committed, so a reader never sees a partial blob, and an aborted upload leaves
/// nothing under the blob's name.
public protocol BlobStore: Sendable {
    /// Starts a new, uncommitted blob.
    func makeWriter() async throws -> any BlobWriter
    /// Streams `range` (or the whole blob) to `consume`, in chunks, one at a time: a slow
    /// consumer slows the reads, so memory stays bounded whatever the size.
    func read(_ id: BlobID, range: ClosedRange<UInt64>?, into consume: (ByteBuffer) async throws -> Void) async throws
    /// The bytes of `range` in one buffer, for ranges small enough to hold in memory (the
    /// caller bounds the size). A backend can answer this in one round trip, where streaming
    /// costs one per chunk plus opening and closing; that is most of the cost of a small file.
    func contents(of id: BlobID, range: ClosedRange<UInt64>) async throws -> ByteBuffer
    /// Removes a committed blob; removing a missing one is not an error.
    func remove(_ id: BlobID) async throws
    /// Every committed blob, for consistency checks.
    func allBlobs() async throws -> [BlobID]
    /// Whether a committed blob exists, and its size.
    func size(of id: BlobID) async throws -> UInt64?
    /// Deletes uncommitted leftovers (a crash mid-upload); returns how many.
    func sweepUncommitted() async throws -> Int
}

extension BlobStore {
    /// Gathers ``read(_:range:into:)``: correct for any backend, one round trip per chunk.
    public func contents(of id: BlobID, range: ClosedRange<UInt64>) async throws -> ByteBuffer {
        var gathered = ByteBuffer()
        gathered.reserveCapacity(Int(range.upperBound - range.lowerBound + 1))
        try await read(id, range: range) { chunk in
            var chunk = chunk
            gathered.writeBuffer(&chunk)
        }
        return gathered
    }
}

/// One blob being written. Not shared between tasks: an upload owns its writer.
public protocol BlobWriter: Sendable {
    var id: BlobID { get }
    /// Appends bytes; throws ``BlobStoreError/insufficientStorage`` when the disk is full.
    func write(_ buffer: ByteBuffer) async throws
    /// No more bytes will come: makes them durable (fsync) and releases what writing held
    /// (the open file), so a request with many file parts keeps at most one file open.
    /// Idempotent; ``commit()`` calls it when it was not called.
    func finish() async throws
    /// Makes the finished bytes visible under ``id``.
    func commit() async throws
    /// Throws the bytes away. Safe to call after a failure, twice, or after `commit`
    /// (then it does nothing).
    func abort() async
}
