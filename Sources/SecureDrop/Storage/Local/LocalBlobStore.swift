import Foundation
import Glibc
public import NIOCore
public import NIOPosix
import NIOConcurrencyHelpers

/// ``BlobStore`` on the local filesystem, inside the data directory.
///
/// Layout: committed blobs at `blobs/<first two hex digits>/<id>`, uploads in progress at
/// `tmp/<id>.part`. Both are in the data directory, so committing is a `rename(2)` on one
/// filesystem: atomic, and a crash leaves either the whole blob or a `.part` file that the
/// next start sweeps. Files are 0600 and directories 0700, like the database.
///
/// Every system call runs on `threadPool`, never on an event loop, so that a slow disk does not
/// stall other connections; the one exception is ``contents(of:range:)``, for small bodies.
public struct LocalBlobStore: BlobStore {
    public let root: String
    let threadPool: NIOThreadPool
    /// Bytes per read. Large enough that the per-call thread hop is noise next to the copy.
    let readChunkSize: Int

    /// Creates `blobs/` and `tmp/` under `dataDirectory` when missing.
    public init(dataDirectory: String, threadPool: NIOThreadPool = .singleton, readChunkSize: Int = 512 * 1024) throws {
        self.root = dataDirectory
        self.threadPool = threadPool
        self.readChunkSize = readChunkSize
        for directory in [blobsDirectory, temporaryDirectory] {
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw BlobStoreError.io(operation: "creating \(directory)", reason: error.localizedDescription)
            }
        }
    }

    var blobsDirectory: String { root + "/blobs" }
    var temporaryDirectory: String { root + "/tmp" }

    func path(of id: BlobID) -> String {
        "\(blobsDirectory)/\(id.rawValue.prefix(2))/\(id.rawValue)"
    }

    public func makeWriter() async throws -> any BlobWriter {
        let id = try BlobID.random()
        let temporaryPath = "\(temporaryDirectory)/\(id.rawValue).part"
        let descriptor = try await threadPool.runIfActive {
            try SystemCall.open(temporaryPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode: 0o600)
        }
        return LocalBlobWriter(id: id, descriptor: descriptor, temporaryPath: temporaryPath, finalPath: path(of: id), threadPool: threadPool)
    }

    public func read(_ id: BlobID, range: ClosedRange<UInt64>?, into consume: (ByteBuffer) async throws -> Void) async throws {
        let path = path(of: id)
        let chunkSize = readChunkSize
        let descriptor = try await threadPool.runIfActive {
            let descriptor = Glibc.open(path, O_RDONLY | O_CLOEXEC)
            guard descriptor >= 0 else { throw errno == ENOENT ? BlobStoreError.missing(id) : SystemCall.error("open") }
            return descriptor
        }
        defer { close(descriptor) }
        var offset = range?.lowerBound ?? 0
        let end: UInt64? = range.map { $0.upperBound + 1 }
        while end.map({ offset < $0 }) ?? true {
            let wanted = end.map { Int(min(UInt64(chunkSize), $0 - offset)) } ?? chunkSize
            let start = offset
            let chunk = try await threadPool.runIfActive {
                try SystemCall.pread(descriptor, count: wanted, offset: start)
            }
            if chunk.readableBytes == 0 {
                // The file is shorter than the metadata says: fail loudly rather than send
                // a response shorter than its Content-Length without explanation.
                if end != nil { throw BlobStoreError.io(operation: "reading blob \(id)", reason: "unexpected end of file") }
                return
            }
            offset += UInt64(chunk.readableBytes)
            try await consume(chunk)
        }
    }

    /// Opens, reads and closes on the calling thread: for the small bodies this is used for
    /// (``FileDownload/inMemoryLimit``), four system calls cost less than the two thread
    /// wake-ups of a thread-pool job. Like nginx reading a static file, a cold page cache
    /// stalls the caller for that one read.
    public func contents(of id: BlobID, range: ClosedRange<UInt64>) async throws -> ByteBuffer {
        let path = path(of: id)
        let count = Int(range.upperBound - range.lowerBound + 1)
        let descriptor = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw errno == ENOENT ? BlobStoreError.missing(id) : SystemCall.error("open") }
        defer { close(descriptor) }
        var gathered = ByteBufferAllocator().buffer(capacity: count)
        while gathered.readableBytes < count {
            let done = gathered.readableBytes
            let read = try SystemCall.pread(descriptor, appendingTo: &gathered, count: count - done, offset: range.lowerBound + UInt64(done))
            guard read > 0 else { throw BlobStoreError.io(operation: "reading blob \(id)", reason: "unexpected end of file") }
        }
        return gathered
    }

    public func remove(_ id: BlobID) async throws {
        let path = path(of: id)
        try await threadPool.runIfActive {
            if unlink(path) != 0 && errno != ENOENT {
                throw BlobStoreError.io(operation: "removing blob \(id)", reason: String(cString: strerror(errno)))
            }
        }
    }

    public func allBlobs() async throws -> [BlobID] {
        let directory = blobsDirectory
        return try await threadPool.runIfActive {
            let fanOut = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
            return fanOut.flatMap { prefix in
                ((try? FileManager.default.contentsOfDirectory(atPath: "\(directory)/\(prefix)")) ?? []).compactMap(BlobID.init)
            }
        }
    }

    public func size(of id: BlobID) async throws -> UInt64? {
        let path = path(of: id)
        return try await threadPool.runIfActive {
            guard FileManager.default.fileExists(atPath: path) else { return nil }
            do {
                let attributes = try FileManager.default.attributesOfItem(atPath: path)
                return (attributes[.size] as? NSNumber)?.uint64Value
            } catch {
                throw BlobStoreError.io(operation: "stat of blob \(id)", reason: error.localizedDescription)
            }
        }
    }

    public func sweepUncommitted() async throws -> Int {
        let directory = temporaryDirectory
        return try await threadPool.runIfActive {
            let leftovers = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
            var removed = 0
            for name in leftovers where name.hasSuffix(".part") && unlink("\(directory)/\(name)") == 0 {
                removed += 1
            }
            return removed
        }
    }
}

/// An upload in progress: an open `.part` file in `tmp/`.
final class LocalBlobWriter: BlobWriter {
    /// Bytes written between two write-behind flushes.
    ///
    /// Without write-behind a large upload lands in the page cache at network speed, and the
    /// disk only starts on it at the final `fsync`: the client then waits for the whole file to
    /// reach the disk *after* sending it, and an upload takes the network time plus the disk
    /// time. Flushing every few MiB while the upload continues overlaps the two, so the upload
    /// runs at the slower of the two instead of their sum, and the final `fsync` has only the
    /// tail left. One flush is in flight at a time and the next waits for it, which also keeps
    /// a client faster than the disk from piling up gigabytes of dirty pages.
    static let flushInterval = 16 * 1024 * 1024

    let id: BlobID
    private let temporaryPath: String
    private let finalPath: String
    private let threadPool: NIOThreadPool
    /// The open descriptor until finish or abort; `nil` afterwards.
    private let descriptor: NIOLockedValueBox<Int32?>
    /// After a commit, abort has nothing to undo (the blob belongs to the store).
    private let committed = NIOLockedValueBox(false)
    /// Write-behind state (``flushInterval``): bytes written since the last flush started, and
    /// the flush in flight. A writer is used by one task at a time; the box makes it Sendable.
    private let writeBehind = NIOLockedValueBox<(unflushed: Int, flush: Task<Void, any Error>?)>((0, nil))

    init(id: BlobID, descriptor: Int32, temporaryPath: String, finalPath: String, threadPool: NIOThreadPool) {
        self.id = id
        self.descriptor = NIOLockedValueBox(descriptor)
        self.temporaryPath = temporaryPath
        self.finalPath = finalPath
        self.threadPool = threadPool
    }

    deinit {
        // A writer dropped without commit or abort (a cancelled task) must not leak its
        // descriptor; the `.part` file is swept at the next start.
        if let descriptor = descriptor.withLockedValue({ $0 }) { close(descriptor) }
    }

    private func openDescriptor() throws -> Int32 {
        guard let descriptor = descriptor.withLockedValue({ $0 }) else {
            throw BlobStoreError.io(operation: "writing blob \(id)", reason: "the writer is closed")
        }
        return descriptor
    }

    func write(_ buffer: ByteBuffer) async throws {
        guard buffer.readableBytes > 0 else { return }
        let descriptor = try openDescriptor()
        try await threadPool.runIfActive { try SystemCall.writeAll(descriptor, buffer) }
        let flushDue = writeBehind.withLockedValue { state in
            state.unflushed += buffer.readableBytes
            guard state.unflushed >= Self.flushInterval else { return false }
            state.unflushed = 0
            return true
        }
        if flushDue { try await startFlush(descriptor) }
    }

    /// Waits for the previous flush, then starts `fdatasync` on another pool thread. The task
    /// holds `self`, so the descriptor cannot be closed by `deinit` under a running flush.
    private func startFlush(_ descriptor: Int32) async throws {
        try await waitForFlush()
        let flush = Task { try await self.threadPool.runIfActive { try SystemCall.check(fdatasync(descriptor), "fdatasync") } }
        writeBehind.withLockedValue { $0.flush = flush }
    }

    private func waitForFlush() async throws {
        let flush = writeBehind.withLockedValue { state in
            defer { state.flush = nil }
            return state.flush
        }
        try await flush?.value
    }

    func finish() async throws {
        guard let descriptor = descriptor.withLockedValue({ $0 }) else { return }
        try await waitForFlush()
        try await threadPool.runIfActive {
            try SystemCall.check(fsync(descriptor), "fsync")
        }
        self.descriptor.withLockedValue { $0 = nil }
        close(descriptor)
    }

    func commit() async throws {
        try await finish()
        let (temporaryPath, finalPath) = (self.temporaryPath, self.finalPath)
        try await threadPool.runIfActive {
            let directory = (finalPath as NSString).deletingLastPathComponent
            if mkdir(directory, 0o700) != 0 && errno != EEXIST {
                throw SystemCall.error("creating \(directory)")
            }
            try SystemCall.check(rename(temporaryPath, finalPath), "rename")
            // The rename itself must survive a power cut: sync the directory entry too.
            let directoryDescriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            if directoryDescriptor >= 0 {
                fsync(directoryDescriptor)
                close(directoryDescriptor)
            }
        }
        committed.withLockedValue { $0 = true }
    }

    func abort() async {
        guard !committed.withLockedValue({ $0 }) else { return }
        // A flush still running holds the descriptor: let it end before closing.
        try? await waitForFlush()
        let descriptor = descriptor.withLockedValue { value -> Int32? in
            defer { value = nil }
            return value
        }
        let temporaryPath = self.temporaryPath
        try? await threadPool.runIfActive {
            if let descriptor { close(descriptor) }
            unlink(temporaryPath)
        }
    }
}

/// Thin, throwing wrappers over the POSIX calls the local store needs, mapping a full disk to
/// ``BlobStoreError/insufficientStorage`` and everything else to ``BlobStoreError/io(operation:reason:)``.
enum SystemCall {
    static func error(_ operation: String, _ code: Int32 = errno) -> BlobStoreError {
        if code == ENOSPC || code == EDQUOT { return .insufficientStorage }
        return .io(operation: operation, reason: String(cString: strerror(code)))
    }

    static func check(_ result: Int32, _ operation: String) throws {
        if result != 0 { throw error(operation) }
    }

    static func open(_ path: String, _ flags: Int32, mode: mode_t = 0) throws -> Int32 {
        let descriptor = Glibc.open(path, flags, mode)
        guard descriptor >= 0 else { throw error("open") }
        return descriptor
    }

    static func writeAll(_ descriptor: Int32, _ buffer: ByteBuffer) throws {
        try buffer.withUnsafeReadableBytes { bytes in
            var written = 0
            while written < bytes.count {
                let result = Glibc.write(descriptor, bytes.baseAddress! + written, bytes.count - written)
                if result < 0 {
                    if errno == EINTR { continue }
                    throw error("write")
                }
                written += result
            }
        }
    }

    static func pread(_ descriptor: Int32, count: Int, offset: UInt64) throws -> ByteBuffer {
        var buffer = ByteBufferAllocator().buffer(capacity: count)
        _ = try pread(descriptor, appendingTo: &buffer, count: count, offset: offset)
        return buffer
    }

    /// Appends up to `count` bytes read at `offset` to `buffer`; returns how many (0 at the end).
    static func pread(_ descriptor: Int32, appendingTo buffer: inout ByteBuffer, count: Int, offset: UInt64) throws -> Int {
        while true {
            var failure: Int32 = 0
            let read = buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: count) { bytes in
                let result = Glibc.pread(descriptor, bytes.baseAddress!, count, off_t(offset))
                if result < 0 { failure = errno }
                return max(0, result)
            }
            if failure == 0 { return read }
            if failure != EINTR { throw error("read", failure) }
        }
    }
}
