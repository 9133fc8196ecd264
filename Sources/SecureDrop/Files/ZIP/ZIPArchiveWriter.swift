/// Produces a ZIP archive as a stream: header bytes to send before each file's data, then the
/// trailer, so several stored files can be sent as one download with no temporary copy.
///
/// The writer never sees file data. Every entry's size and CRC-32 are known in advance, so each
/// local header carries the real values (no data descriptors) and the whole archive's size can
/// be computed up front with ``archiveSize(of:forceZIP64:)`` for a Content-Length header.
/// Files are stored uncompressed (method 0), which is what makes that size exact.
///
/// ZIP64 (APPNOTE 4.3.9, 4.5.3) is used only where needed, so ordinary archives open in every
/// tool: per entry when its size or its local header offset does not fit 32 bits (the local
/// header holds no offset, so it gets the ZIP64 extra only for the sizes), and for the end
/// records when the entry count, the central directory's size or offset does not fit, or any
/// entry is ZIP64. `forceZIP64` uses it everywhere, so tests exercise readers' ZIP64 paths
/// with small files.
///
/// The writer keeps one small record per entry until ``finish()`` writes the central directory.
///
/// Usage: for each entry, send ``localFileHeader(for:)`` followed by exactly `entry.size` bytes
/// of its data; then send ``finish()``. If a file turns out to have a different size while
/// streaming, the archive is already wrong and the connection must be aborted.
public struct ZIPArchiveWriter: Sendable {
    /// Use ZIP64 records for every entry and the end of the archive, even when not needed.
    public let forceZIP64: Bool
    /// Bytes of the archive produced so far, counting each entry's data as sent.
    public private(set) var offset: UInt64 = 0
    private var centralDirectory: [ZIPEntryRecord] = []
    private var isFinished = false

    public init(forceZIP64: Bool = false) {
        self.forceZIP64 = forceZIP64
    }

    /// The bytes to send just before the entry's data (APPNOTE 4.3.7).
    ///
    /// Records the entry for the central directory and advances ``offset`` past the header and
    /// the `entry.size` data bytes the caller sends next.
    public mutating func localFileHeader(for entry: ZIPEntry) -> [UInt8] {
        precondition(!isFinished, "ZIPArchiveWriter: entry added after finish()")
        let record = ZIPEntryRecord(entry: entry, localHeaderOffset: offset, forceZIP64: forceZIP64)
        let header = record.localFileHeader()
        centralDirectory.append(record)
        offset += UInt64(header.count) + entry.size
        return header
    }

    /// The bytes to send after the last entry's data: the central directory, the ZIP64 end of
    /// central directory record and locator when needed, and the end of central directory record.
    public mutating func finish() -> [UInt8] {
        precondition(!isFinished, "ZIPArchiveWriter: finish() called twice")
        isFinished = true

        let directoryOffset = offset
        var bytes: [UInt8] = []
        for record in centralDirectory {
            bytes.append(contentsOf: record.centralFileHeader())
        }
        let end = ZIPEndRecords(
            entryCount: UInt64(centralDirectory.count),
            directorySize: UInt64(bytes.count),
            directoryOffset: directoryOffset,
            anyZIP64Entry: centralDirectory.contains { $0.usesZIP64 },
            forceZIP64: forceZIP64
        )
        bytes.append(contentsOf: end.bytes())
        offset += UInt64(bytes.count)
        return bytes
    }

    /// The exact size of the archive for these entries, in this order.
    ///
    /// Computed by running a writer over the entries without their data, so it cannot drift
    /// from what is actually sent; the headers are small, so this costs next to nothing.
    public static func archiveSize(of entries: [ZIPEntry], forceZIP64: Bool = false) -> UInt64 {
        var writer = ZIPArchiveWriter(forceZIP64: forceZIP64)
        for entry in entries {
            _ = writer.localFileHeader(for: entry)
        }
        _ = writer.finish()
        return writer.offset
    }
}

/// What the central directory needs to know about an entry, and the encoding of both of its headers.
struct ZIPEntryRecord: Sendable {
    var name: [UInt8]
    var size: UInt64
    var crc32: UInt32
    var timestamp: ZIPTimestamp
    var localHeaderOffset: UInt64
    var forceZIP64: Bool

    init(entry: ZIPEntry, localHeaderOffset: UInt64, forceZIP64: Bool) {
        name = Array(entry.storedName.utf8)
        size = entry.size
        crc32 = entry.crc32
        timestamp = ZIPTimestamp(entry.modified)
        self.localHeaderOffset = localHeaderOffset
        self.forceZIP64 = forceZIP64
    }

    /// The sizes need the ZIP64 extra: in the local header, 4.5.3 then requires both sizes.
    var sizeNeedsZIP64: Bool { forceZIP64 || ZIPFormat.overflows32(size) }
    /// The offset needs it; only the central header holds the offset, so only it is affected.
    var offsetNeedsZIP64: Bool { forceZIP64 || ZIPFormat.overflows32(localHeaderOffset) }
    var usesZIP64: Bool { sizeNeedsZIP64 || offsetNeedsZIP64 }
    /// The same in both headers, as readers may compare them.
    var versionNeeded: UInt16 { usesZIP64 ? ZIPFormat.versionNeededZIP64 : ZIPFormat.versionNeededDefault }

    /// APPNOTE 4.3.7. With ZIP64 both 32-bit size fields are the sentinel and the extra holds
    /// the uncompressed then compressed size (4.5.3); the CRC is always the real one.
    func localFileHeader() -> [UInt8] {
        var extra = ZIPFieldEncoder(capacity: 20 + ZIPFormat.extendedTimestampExtraSize)
        if sizeNeedsZIP64 {
            extra.append(ZIPFormat.zip64ExtraID)
            extra.append(UInt16(16))
            extra.append(size)  // original (uncompressed) size
            extra.append(size)  // compressed size: the same, stored
        }
        appendExtendedTimestamp(to: &extra)

        let size32 = sizeNeedsZIP64 ? ZIPFormat.sentinel32 : UInt32(size)
        var header = ZIPFieldEncoder(capacity: ZIPFormat.localFileHeaderSize + name.count + extra.bytes.count)
        header.append(ZIPFormat.localFileHeaderSignature)
        appendCommonFields(to: &header, size32: size32, extraLength: extra.bytes.count)
        header.append(contentsOf: name)
        header.append(contentsOf: extra.bytes)
        return header.bytes
    }

    /// The run of fields local and central headers share, from "version needed" to "extra
    /// field length" (APPNOTE 4.3.7 and 4.3.12).
    private func appendCommonFields(to header: inout ZIPFieldEncoder, size32: UInt32, extraLength: Int) {
        header.append(versionNeeded)
        header.append(ZIPFormat.flagUTF8)
        header.append(ZIPFormat.methodStored)
        header.append(timestamp.dosTime)
        header.append(timestamp.dosDate)
        header.append(crc32)
        header.append(size32)  // compressed size
        header.append(size32)  // uncompressed size
        header.append(UInt16(name.count))
        header.append(UInt16(extraLength))
    }

    /// APPNOTE 4.3.12. The ZIP64 extra holds only the fields whose 32-bit slot is the sentinel,
    /// in the order uncompressed size, compressed size, local header offset (4.5.3).
    func centralFileHeader() -> [UInt8] {
        var zip64Fields: [UInt64] = []
        if sizeNeedsZIP64 { zip64Fields += [size, size] }
        if offsetNeedsZIP64 { zip64Fields.append(localHeaderOffset) }

        var extra = ZIPFieldEncoder(capacity: 28 + ZIPFormat.extendedTimestampExtraSize)
        if !zip64Fields.isEmpty {
            extra.append(ZIPFormat.zip64ExtraID)
            extra.append(UInt16(zip64Fields.count * 8))
            for field in zip64Fields { extra.append(field) }
        }
        appendExtendedTimestamp(to: &extra)

        let size32 = sizeNeedsZIP64 ? ZIPFormat.sentinel32 : UInt32(size)
        let offset32 = offsetNeedsZIP64 ? ZIPFormat.sentinel32 : UInt32(localHeaderOffset)
        var header = ZIPFieldEncoder(capacity: ZIPFormat.centralFileHeaderSize + name.count + extra.bytes.count)
        header.append(ZIPFormat.centralFileHeaderSignature)
        header.append(ZIPFormat.madeByUnix | versionNeeded)
        appendCommonFields(to: &header, size32: size32, extraLength: extra.bytes.count)
        header.append(UInt16(0))  // comment length
        header.append(UInt16(0))  // disk number start
        header.append(UInt16(0))  // internal attributes
        header.append(ZIPFormat.externalAttributesRegularFile)
        header.append(offset32)
        header.append(contentsOf: name)
        header.append(contentsOf: extra.bytes)
        return header.bytes
    }

    /// Info-ZIP's extended timestamp (APPNOTE 4.6.1 / extrafld.txt), modification time only: the
    /// same layout serves the local and the central header. It gives unzip and most tools the
    /// exact UTC time, which the DOS fields (2-second steps, no zone) cannot.
    private func appendExtendedTimestamp(to extra: inout ZIPFieldEncoder) {
        guard let unixTime = timestamp.unixTime else { return }
        extra.append(ZIPFormat.extendedTimestampExtraID)
        extra.append(UInt16(5))
        extra.append(ZIPFormat.extendedTimestampHasModificationTime)
        extra.append(unixTime)
    }
}

/// The records after the central directory (APPNOTE 4.3.14 to 4.3.16).
struct ZIPEndRecords {
    var entryCount: UInt64
    var directorySize: UInt64
    var directoryOffset: UInt64
    var anyZIP64Entry: Bool
    var forceZIP64: Bool

    var countOverflows: Bool { forceZIP64 || entryCount >= UInt64(ZIPFormat.sentinel16) }
    var sizeOverflows: Bool { forceZIP64 || ZIPFormat.overflows32(directorySize) }
    var offsetOverflows: Bool { forceZIP64 || ZIPFormat.overflows32(directoryOffset) }
    var needsZIP64: Bool { countOverflows || sizeOverflows || offsetOverflows || anyZIP64Entry }

    func bytes() -> [UInt8] {
        var bytes = ZIPFieldEncoder(
            capacity: ZIPFormat.zip64EndOfCentralDirectorySize + ZIPFormat.zip64EndOfCentralDirectoryLocatorSize
                + ZIPFormat.endOfCentralDirectorySize
        )
        if needsZIP64 {
            // 4.3.14, version 1: its size field counts the bytes after itself.
            let recordOffset = directoryOffset + directorySize
            bytes.append(ZIPFormat.zip64EndOfCentralDirectorySignature)
            bytes.append(UInt64(ZIPFormat.zip64EndOfCentralDirectorySize - 12))
            bytes.append(ZIPFormat.madeByUnix | ZIPFormat.versionNeededZIP64)
            bytes.append(ZIPFormat.versionNeededZIP64)
            bytes.append(UInt32(0))  // number of this disk
            bytes.append(UInt32(0))  // disk with the central directory
            bytes.append(entryCount)  // entries on this disk
            bytes.append(entryCount)  // entries in total
            bytes.append(directorySize)
            bytes.append(directoryOffset)
            // 4.3.15
            bytes.append(ZIPFormat.zip64EndOfCentralDirectoryLocatorSignature)
            bytes.append(UInt32(0))  // disk with the ZIP64 end record
            bytes.append(recordOffset)
            bytes.append(UInt32(1))  // total number of disks
        }
        // 4.3.16. A field that is too small holds the sentinel (4.4.1.4); one that fits keeps
        // its value, for readers that ignore ZIP64 end records.
        let count16 = countOverflows ? ZIPFormat.sentinel16 : UInt16(entryCount)
        bytes.append(ZIPFormat.endOfCentralDirectorySignature)
        bytes.append(UInt16(0))  // number of this disk
        bytes.append(UInt16(0))  // disk with the central directory
        bytes.append(count16)  // entries on this disk
        bytes.append(count16)  // entries in total
        bytes.append(sizeOverflows ? ZIPFormat.sentinel32 : UInt32(directorySize))
        bytes.append(offsetOverflows ? ZIPFormat.sentinel32 : UInt32(directoryOffset))
        bytes.append(UInt16(0))  // comment length
        return bytes.bytes
    }
}
