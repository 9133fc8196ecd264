import Foundation
import NIOCore

/// Chunked access to a local file for transfers, so no file is ever held whole in memory,
/// with every failure turned into ``SecureDropClientError/localFile(path:reason:)``.
final class LocalFile {
    /// The piece size for reads: large enough to keep TLS records full, small enough to
    /// stay out of the way of memory.
    static let chunkSize = 256 * 1024

    let path: String
    private let handle: FileHandle

    private init(path: String, handle: FileHandle) {
        self.path = path
        self.handle = handle
    }

    deinit {
        try? handle.close()
    }

    static func openForReading(_ path: String) throws(SecureDropClientError) -> LocalFile {
        try open(path, flags: O_RDONLY)
    }

    /// Opens (creating with mode 0644 before the umask) for writing, positioned at `offset`
    /// with anything beyond it cut off.
    static func openForWriting(_ path: String, at offset: Int64) throws(SecureDropClientError) -> LocalFile {
        let file = try open(path, flags: O_WRONLY | O_CREAT)
        try file.perform {
            try file.handle.truncate(atOffset: UInt64(offset))
            try file.handle.seek(toOffset: UInt64(offset))
        }
        return file
    }

    /// The size of a regular file, nil when there is none at `path`.
    static func size(of path: String) throws(SecureDropClientError) -> Int64? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        let attributes: [FileAttributeKey: Any]
        do {
            attributes = try FileManager.default.attributesOfItem(atPath: path)
        } catch {
            throw .localFile(path: path, reason: reason(error))
        }
        guard attributes[.type] as? FileAttributeType == .typeRegular, let size = attributes[.size] as? NSNumber else {
            throw .localFile(path: path, reason: "not a regular file")
        }
        return size.int64Value
    }

    /// A directory opens for reading but fails at the first read, with "Is a directory".
    private static func open(_ path: String, flags: Int32) throws(SecureDropClientError) -> LocalFile {
        let descriptor = Foundation.open(path, flags | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw .localFile(path: path, reason: String(cString: strerror(errno))) }
        return LocalFile(path: path, handle: FileHandle(fileDescriptor: descriptor, closeOnDealloc: true))
    }

    /// The current size, read from the open descriptor (not the path, which may be replaced).
    func currentSize() throws(SecureDropClientError) -> Int64 {
        try perform { Int64(try handle.seekToEnd()) }
    }

    /// Up to `chunkSize` bytes from the current position; nil at the end of the file.
    func read() throws(SecureDropClientError) -> ByteBuffer? {
        try perform {
            guard let data = try handle.read(upToCount: Self.chunkSize), !data.isEmpty else { return nil }
            return ByteBuffer(bytes: data)
        }
    }

    func seek(to offset: Int64) throws(SecureDropClientError) {
        try perform { try handle.seek(toOffset: UInt64(offset)) }
    }

    func write(_ chunk: ByteBuffer) throws(SecureDropClientError) {
        try perform { try chunk.withUnsafeReadableBytes { try handle.write(contentsOf: $0) } }
    }

    /// Flushes to disk, so a completed download survives a crash right after it.
    func synchronize() throws(SecureDropClientError) {
        try perform { try handle.synchronize() }
    }

    private func perform<T>(_ body: () throws -> T) throws(SecureDropClientError) -> T {
        do {
            return try body()
        } catch {
            throw .localFile(path: path, reason: Self.reason(error))
        }
    }

    private static func reason(_ error: any Error) -> String {
        if let posix = (error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError, posix.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(posix.code)))
        }
        return error.localizedDescription
    }
}

extension LocalFile {
    /// Feeds the first `length` bytes of the file at `path` to `hasher` (the part of a
    /// resumed download that is already on disk).
    static func hash(_ path: String, firstBytes length: Int64, into hasher: SHA256Hasher) throws(SecureDropClientError) {
        let file = try openForReading(path)
        var remaining = length
        while remaining > 0, let chunk = try file.read() {
            let used = chunk.getSlice(at: chunk.readerIndex, length: Int(min(Int64(chunk.readableBytes), remaining))) ?? chunk
            hasher.update(used)
            remaining -= Int64(used.readableBytes)
        }
        guard remaining == 0 else { throw .localFile(path: path, reason: "it shrank while it was being read") }
    }
}
