public import NIOCore

/// Several stored files as one ZIP, streamed straight from the blob store.
///
/// Every entry's size and CRC-32 is in the metadata, so each local header is complete before
/// its data: no temporary copy, no data descriptors, and the archive's exact length is known
/// up front (the response carries `Content-Length`). Entries are stored, not deflated: most
/// shared files are compressed already, and storing keeps the server's CPU for TLS.
public enum FileArchive {
    static func entry(for record: FileRecord) -> ZIPEntry {
        ZIPEntry(name: record.name, size: record.size, crc32: record.crc32, modified: record.uploadedAt)
    }

    /// The archive's length in bytes.
    public static func size(of records: [FileRecord]) -> UInt64 {
        ZIPArchiveWriter.archiveSize(of: records.map(entry(for:)))
    }

    /// Writes the archive to `consume`, file by file.
    public static func stream(_ records: [FileRecord], from files: FileService, into consume: (ByteBuffer) async throws -> Void) async throws {
        var writer = ZIPArchiveWriter()
        for record in records {
            try await consume(ByteBuffer(bytes: writer.localFileHeader(for: entry(for: record))))
            try await files.read(record, into: consume)
        }
        try await consume(ByteBuffer(bytes: writer.finish()))
    }
}
