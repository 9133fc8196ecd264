import Foundation
import NIOCore
import Testing
@testable import SecureDrop

@Suite("CRC-32")
struct CRC32Tests {
    @Test("Known vectors")
    func knownVectors() {
        #expect(CRC32().value == 0)
        #expect(CRC32.checksum([UInt8]()) == 0)
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(CRC32.checksum(Array("The quick brown fox jumps over the lazy dog".utf8)) == 0x414F_A339)
    }

    @Test("Incremental updates, in any split and through every overload, equal one pass")
    func incremental() {
        let bytes = (0..<10_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        let expected = CRC32.checksum(bytes)
        for split in [0, 1, 4095, 9_999, 10_000] {
            var crc = CRC32()
            bytes[..<split].withUnsafeBytes { crc.update($0) }
            crc.update(ByteBuffer(bytes: bytes[split...]))
            #expect(crc.value == expected, "split at \(split)")
        }
        // A sequence without contiguous storage takes the copying path.
        var lazy = CRC32()
        lazy.update((0..<10_000).lazy.map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) })
        #expect(lazy.value == expected)
        // Only the readable bytes of a buffer count, and they are not consumed.
        var buffer = ByteBuffer(bytes: [0xAA, 0xBB] + bytes)
        buffer.moveReaderIndex(forwardBy: 2)
        var fromBuffer = CRC32()
        fromBuffer.update(buffer)
        #expect(fromBuffer.value == expected)
        #expect(buffer.readableBytes == bytes.count)
    }
}

@Suite("ZIP archive writer")
struct ZIPArchiveWriterTests {
    /// A file to put in a test archive.
    struct File: Sendable, CustomStringConvertible {
        var name: String
        var data: [UInt8]
        var modified: Date

        var entry: ZIPEntry {
            ZIPEntry(name: name, size: UInt64(data.count), crc32: CRC32.checksum(data), modified: modified)
        }
        var description: String { "\(name) (\(data.count) bytes)" }
    }

    /// The archives the interoperability test builds, each with and without forced ZIP64.
    enum Fixture: String, CaseIterable, Sendable {
        case empty, zeroByteFile, oneByteFile, severalFiles

        var files: [File] {
            // Odd seconds too: the DOS time rounds them down, the extended timestamp keeps them.
            let modified = Date(timeIntervalSince1970: 1_718_454_321)  // 2024-06-15 12:25:21 UTC
            switch self {
            case .empty:
                return []
            case .zeroByteFile:
                return [File(name: "empty.txt", data: [], modified: modified)]
            case .oneByteFile:
                return [File(name: "one.bin", data: [0x42], modified: modified)]
            case .severalFiles:
                var generator = SystemRandomNumberGenerator()
                let random = (0..<100 * 1024).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
                return [
                    File(name: "hello.txt", data: Array("Hello, world!\n".utf8), modified: modified),
                    File(name: "random.bin", data: random, modified: Date(timeIntervalSince1970: 1_600_000_000.75)),
                    File(name: "résumé-日本.txt", data: Array("naïve ✓\n".utf8), modified: Date(timeIntervalSince1970: 315_532_800)),
                    // 2099-12-31 23:59:59 UTC: beyond the 32-bit Unix time, so only the DOS fields carry it.
                    File(name: "nothing", data: [], modified: Date(timeIntervalSince1970: 4_102_444_799)),
                ]
            }
        }
    }

    /// The whole archive, as the server would stream it.
    static func archive(of files: [File], forceZIP64: Bool) -> [UInt8] {
        var writer = ZIPArchiveWriter(forceZIP64: forceZIP64)
        var bytes: [UInt8] = []
        for file in files {
            bytes += writer.localFileHeader(for: file.entry)
            bytes += file.data
        }
        bytes += writer.finish()
        #expect(writer.offset == UInt64(bytes.count))
        return bytes
    }

    /// What Python's zipfile reports about one member; `mtime` is parsed from the 0x5455 extra.
    struct PythonMember: Decodable {
        var name: String
        var size: UInt64
        var crc: UInt32
        var dateTime: [Int]
        var mtime: Int?
        var unixMode: Int
    }

    /// Checks every member's CRC (testzip), extracts them all, and describes them as JSON.
    static let pythonReader = #"""
        import json, struct, sys, zipfile
        path, out = sys.argv[1], sys.argv[2]
        members = []
        with zipfile.ZipFile(path) as archive:
            bad = archive.testzip()
            if bad is not None:
                sys.exit("bad CRC: " + bad)
            for info in archive.infolist():
                mtime, extra, i = None, info.extra, 0
                while i + 4 <= len(extra):
                    tag, size = struct.unpack_from("<HH", extra, i)
                    if tag == 0x5455 and size >= 5 and extra[i + 4] & 1:
                        mtime = struct.unpack_from("<i", extra, i + 5)[0]
                    i += 4 + size
                members.append({"name": info.filename, "size": info.file_size, "crc": info.CRC,
                                "dateTime": list(info.date_time), "mtime": mtime,
                                "unixMode": info.external_attr >> 16})
            archive.extractall(out)
        print(json.dumps(members))
        """#

    /// Tools must see the UTF-8 names as UTF-8 whatever the test runner's locale is.
    static let utf8Environment = ["LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "PYTHONUTF8": "1"]

    @Test("unzip and Python's zipfile read the archive back byte for byte", arguments: Fixture.allCases, [false, true])
    func interoperability(fixture: Fixture, forceZIP64: Bool) async throws {
        let files = fixture.files
        let bytes = Self.archive(of: files, forceZIP64: forceZIP64)
        #expect(ZIPArchiveWriter.archiveSize(of: files.map(\.entry), forceZIP64: forceZIP64) == UInt64(bytes.count))

        let directory = try makeTemporaryDirectory("zip-writer")
        defer { try? FileManager.default.removeItem(at: directory) }
        let archiveURL = directory.appendingPathComponent("archive.zip")
        try Data(bytes).write(to: archiveURL)

        let test = try await Command.run("unzip", ["-t", "-q", archiveURL.path], environment: Self.utf8Environment)
        if files.isEmpty {
            // Info-ZIP reports an empty archive with a warning and status 1, even one made by zip.
            #expect(test.status == 1 && test.output.contains("zipfile is empty"), "\(test.output)\(test.errors)")
        } else {
            #expect(test.status == 0, "unzip -t: \(test.output)\(test.errors)")
            let listing = try await Command.run("unzip", ["-Z1", archiveURL.path], environment: Self.utf8Environment)
            #expect(listing.status == 0, "unzip -Z1: \(listing.errors)")
            #expect(listing.output.split(separator: "\n").map(String.init) == files.map(\.name))
        }

        let extracted = directory.appendingPathComponent("extracted")
        let python = try await Command.run(
            "python3", ["-c", Self.pythonReader, archiveURL.path, extracted.path], environment: Self.utf8Environment
        )
        try #require(python.status == 0, "python zipfile: \(python.errors)")
        let members = try JSONDecoder().decode([PythonMember].self, from: Data(python.output.utf8))
        try #require(members.count == files.count)
        for (member, file) in zip(members, files) {
            #expect(member.name == file.name)
            #expect(member.size == UInt64(file.data.count))
            #expect(member.crc == file.entry.crc32)
            #expect(member.dateTime == Self.dosComponents(of: file.modified), "\(file)")
            // Past 2038 the signed 32-bit Unix time cannot hold it; the extra is left out.
            let seconds = Int(file.modified.timeIntervalSince1970.rounded(.down))
            #expect(member.mtime == (Int32(exactly: seconds) == nil ? nil : seconds), "\(file)")
            #expect(member.unixMode == 0o100644)
            let data = try Data(contentsOf: extracted.appendingPathComponent(file.name))
            #expect(data == Data(file.data), "extracted \(file)")
        }
    }

    /// The UTC date and time as DOS stores it (seconds rounded down to even), from Foundation's
    /// calendar rather than the writer's own arithmetic.
    static func dosComponents(of date: Date) -> [Int] {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return [parts.year, parts.month, parts.day, parts.hour, parts.minute].map { $0 ?? -1 } + [(parts.second ?? -1) / 2 * 2]
    }

    @Test("An entry over 4 GiB gets ZIP64 sizes; the next entry's offset goes into the central ZIP64 extra")
    func largeEntryAndOffset() throws {
        let modified = Date(timeIntervalSince1970: 1_718_454_320)
        let big = ZIPEntry(name: "big.bin", size: 0x1_0000_0005, crc32: 0x1234_5678, modified: modified)
        let small = ZIPEntry(name: "small.txt", size: 3, crc32: 0x9ABC_DEF0, modified: modified)
        var writer = ZIPArchiveWriter()

        let bigHeader = try #require(ParsedLocalHeader.parse(writer.localFileHeader(for: big)))
        #expect(bigHeader.versionNeeded == 45)
        #expect(bigHeader.compressedSize == 0xFFFF_FFFF && bigHeader.uncompressedSize == 0xFFFF_FFFF)
        #expect(bigHeader.crc32 == big.crc32)
        #expect(bigHeader.zip64Fields == [big.size, big.size])  // uncompressed, then compressed

        let smallOffset = writer.offset
        #expect(smallOffset == UInt64(bigHeader.length) + big.size)
        let smallHeader = try #require(ParsedLocalHeader.parse(writer.localFileHeader(for: small)))
        // The offset is not a local header field: sizes stay 32-bit, but the entry is ZIP64.
        #expect(smallHeader.zip64Fields == nil)
        #expect(smallHeader.compressedSize == 3 && smallHeader.uncompressedSize == 3)
        #expect(smallHeader.versionNeeded == 45)

        let directoryOffset = writer.offset
        let trailer = writer.finish()
        let directory = try #require(ParsedCentralDirectory.parse(trailer))
        try #require(directory.headers.count == 2)

        let bigCentral = directory.headers[0]
        #expect(bigCentral.compressedSize == 0xFFFF_FFFF && bigCentral.uncompressedSize == 0xFFFF_FFFF)
        #expect(bigCentral.localHeaderOffset == 0)
        #expect(bigCentral.zip64Fields == [big.size, big.size])
        #expect(bigCentral.versionMadeBy == 3 << 8 | 45 && bigCentral.versionNeeded == 45)

        let smallCentral = directory.headers[1]
        #expect(smallCentral.compressedSize == 3 && smallCentral.uncompressedSize == 3)
        #expect(smallCentral.localHeaderOffset == 0xFFFF_FFFF)
        #expect(smallCentral.zip64Fields == [smallOffset])
        #expect(smallOffset >= 4 << 30)

        let end = try #require(directory.zip64End)
        #expect(end.entryCount == 2)
        #expect(end.directoryOffset == directoryOffset)
        #expect(end.directorySize == UInt64(directory.headersLength))
        #expect(end.locatedAt == directoryOffset + UInt64(directory.headersLength))
        #expect(directory.end.entryCount == 2)
        #expect(directory.end.directorySize == UInt32(directory.headersLength))
        #expect(directory.end.directoryOffset == 0xFFFF_FFFF)

        #expect(ZIPArchiveWriter.archiveSize(of: [big, small]) == directoryOffset + UInt64(trailer.count))
        #expect(writer.offset == directoryOffset + UInt64(trailer.count))
    }

    @Test("Small archives use no ZIP64 at all; forced ones put every field in the ZIP64 extra")
    func zip64OnlyWhenNeededOrForced() throws {
        let entry = ZIPEntry(name: "a.txt", size: 1, crc32: 0xE8B7_BE43, modified: Date(timeIntervalSince1970: 1_000_000_000))

        var plain = ZIPArchiveWriter()
        let plainLocal = try #require(ParsedLocalHeader.parse(plain.localFileHeader(for: entry)))
        let plainDirectory = try #require(ParsedCentralDirectory.parse(plain.finish()))
        #expect(plainLocal.versionNeeded == 20 && plainLocal.zip64Fields == nil)
        let plainCentral = try #require(plainDirectory.headers.first)
        #expect(plainCentral.zip64Fields == nil)
        #expect(plainCentral.versionMadeBy == 3 << 8 | 20 && plainCentral.versionNeeded == 20)
        #expect(plainDirectory.zip64End == nil)
        #expect(plainDirectory.end.entryCount == 1)

        var forced = ZIPArchiveWriter(forceZIP64: true)
        let forcedLocal = try #require(ParsedLocalHeader.parse(forced.localFileHeader(for: entry)))
        let forcedDirectory = try #require(ParsedCentralDirectory.parse(forced.finish()))
        #expect(forcedLocal.versionNeeded == 45 && forcedLocal.zip64Fields == [1, 1])
        #expect(forcedDirectory.headers.first?.zip64Fields == [1, 1, 0])
        #expect(forcedDirectory.zip64End?.entryCount == 1)
        #expect(forcedDirectory.end.entryCount == 0xFFFF)
        #expect(forcedDirectory.end.directoryOffset == 0xFFFF_FFFF)
    }

    @Test("65,535 entries need the ZIP64 end record, and unzip and Python read them all")
    func manyEntries() async throws {
        let modified = Date(timeIntervalSince1970: 1_718_454_320)
        let data: [UInt8] = [0x78]
        let entries = (0..<0xFFFF).map { index in
            ZIPEntry(name: String(format: "f%05d", index), size: 1, crc32: CRC32.checksum(data), modified: modified)
        }
        var writer = ZIPArchiveWriter()
        var bytes: [UInt8] = []
        for entry in entries {
            bytes += writer.localFileHeader(for: entry)
            bytes += data
        }
        let directoryOffset = bytes.count
        bytes += writer.finish()
        #expect(ZIPArchiveWriter.archiveSize(of: entries) == UInt64(bytes.count))
        let directory = try #require(ParsedCentralDirectory.parse(Array(bytes[directoryOffset...])))
        #expect(directory.zip64End?.entryCount == 0xFFFF)
        #expect(directory.end.entryCount == 0xFFFF)
        #expect(directory.headers.allSatisfy { $0.zip64Fields == nil })

        let directoryURL = try makeTemporaryDirectory("zip-writer-many")
        defer { try? FileManager.default.removeItem(at: directoryURL) }
        let archiveURL = directoryURL.appendingPathComponent("many.zip")
        try Data(bytes).write(to: archiveURL)
        let test = try await Command.run("unzip", ["-t", "-q", archiveURL.path])
        #expect(test.status == 0, "unzip -t: \(test.output)\(test.errors)")
        // Python's testzip would reopen the file per member (seconds); the first and last suffice.
        let python = try await Command.run(
            "python3", ["-c", "import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); assert z.read('f00000') == z.read('f65534') == b'x'; print(len(z.infolist()))", archiveURL.path]
        )
        #expect(python.status == 0, "python: \(python.errors)")
        #expect(python.output.trimmingCharacters(in: .whitespacesAndNewlines) == "65535")
    }

    @Test("Names cannot escape the extraction directory and are never empty")
    func storedNames() {
        func stored(_ name: String) -> String {
            ZIPEntry(name: name, size: 0, crc32: 0, modified: Date()).storedName
        }
        #expect(stored("report.pdf") == "report.pdf")
        #expect(stored("résumé-日本.txt") == "résumé-日本.txt")
        #expect(stored("../etc/passwd") == ".._etc_passwd")
        #expect(stored("a\\b\0c/d") == "a_b_c_d")
        #expect(stored("") == "_")
        #expect(stored(".") == "_")
        #expect(stored("..") == "__")
        #expect(stored("/") == "_")
        // Cut to what the 16-bit length field holds, without splitting a character's bytes.
        let long = stored(String(repeating: "é", count: 40_000))
        #expect(long.utf8.count == 65_534)

        var writer = ZIPArchiveWriter()
        let header = writer.localFileHeader(for: ZIPEntry(name: "x/y", size: 0, crc32: 0, modified: Date()))
        #expect(ParsedLocalHeader.parse(header)?.name == "x_y")
    }

    @Test("DOS date and time are UTC, clamped to 1980...2107; the Unix time keeps the exact second")
    func timestamps() {
        let leapDay = ZIPTimestamp(Date(timeIntervalSince1970: 1_709_214_359))  // 2024-02-29 13:45:59 UTC
        #expect(leapDay.dosDate == UInt16((2024 - 1980) << 9 | 2 << 5 | 29))
        #expect(leapDay.dosTime == UInt16(13 << 11 | 45 << 5 | 58 / 2))
        #expect(leapDay.unixTime == 1_709_214_359)

        let early = ZIPTimestamp(Date(timeIntervalSince1970: -86_400.5))  // 1969-12-30 23:59:59.5 UTC
        #expect(early.dosDate == UInt16(0 << 9 | 1 << 5 | 1) && early.dosTime == 0)
        #expect(early.unixTime == -86_401)

        let late = ZIPTimestamp(Date(timeIntervalSince1970: 5_000_000_000))  // 2128
        #expect(late.dosDate == UInt16(127 << 9 | 12 << 5 | 31))
        #expect(late.dosTime == UInt16(23 << 11 | 59 << 5 | 29))
        #expect(late.unixTime == nil)

        // Nonsense metadata must not trap.
        _ = ZIPTimestamp(Date(timeIntervalSince1970: .nan))
        _ = ZIPTimestamp(Date(timeIntervalSince1970: .infinity))
        _ = ZIPTimestamp(Date.distantPast)
    }

    @Test(
        "A real archive over 4 GiB (sparse file) passes unzip -t and Python's zipfile",
        .enabled(if: ProcessInfo.processInfo.environment["SECUREDROP_LARGE_ZIP_TEST"] != nil, "set SECUREDROP_LARGE_ZIP_TEST=1")
    )
    func realLargeArchive() async throws {
        let bigSize: UInt64 = 0x1_0000_1000
        // The big entry is all zeros, which a sparse file provides without writing them.
        var crc = CRC32()
        let zeros = [UInt8](repeating: 0, count: 1 << 20)
        var remaining = bigSize
        zeros.withUnsafeBytes { chunk in
            while remaining > 0 {
                let count = Int(min(remaining, UInt64(chunk.count)))
                crc.update(UnsafeRawBufferPointer(rebasing: chunk[..<count]))
                remaining -= UInt64(count)
            }
        }
        let modified = Date(timeIntervalSince1970: 1_718_454_320)
        let tail: [UInt8] = Array("after the big one\n".utf8)
        let entries = [
            ZIPEntry(name: "zeros.bin", size: bigSize, crc32: crc.value, modified: modified),
            ZIPEntry(name: "tail.txt", size: UInt64(tail.count), crc32: CRC32.checksum(tail), modified: modified),
        ]

        let directory = try makeTemporaryDirectory("zip-writer-large")
        defer { try? FileManager.default.removeItem(at: directory) }
        let archiveURL = directory.appendingPathComponent("large.zip")
        try #require(FileManager.default.createFile(atPath: archiveURL.path, contents: nil))
        let handle = try FileHandle(forWritingTo: archiveURL)
        var writer = ZIPArchiveWriter()
        try handle.write(contentsOf: writer.localFileHeader(for: entries[0]))
        try handle.truncate(atOffset: writer.offset)
        try handle.seek(toOffset: writer.offset)
        try handle.write(contentsOf: writer.localFileHeader(for: entries[1]))
        try handle.write(contentsOf: tail)
        try handle.write(contentsOf: writer.finish())
        try handle.close()

        let attributes = try FileManager.default.attributesOfItem(atPath: archiveURL.path)
        #expect((attributes[.size] as? NSNumber)?.uint64Value == ZIPArchiveWriter.archiveSize(of: entries))

        let test = try await Command.run("unzip", ["-t", "-q", archiveURL.path])
        #expect(test.status == 0, "unzip -t: \(test.output)\(test.errors)")
        let python = try await Command.run(
            "python3",
            [
                "-c",
                "import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); assert z.testzip() is None; "
                    + "print([(i.filename, i.file_size, i.header_offset) for i in z.infolist()]); print(z.read('tail.txt').decode(), end='')",
                archiveURL.path,
            ]
        )
        #expect(python.status == 0, "python: \(python.errors)")
        #expect(python.output.contains("('zeros.bin', \(bigSize), 0)"))
        #expect(python.output.hasSuffix("after the big one\n"))
    }
}

// MARK: - Reading the writer's output back, independently of the writer

/// Little-endian field access by offset, returning nil past the end instead of trapping.
private struct ByteReader {
    var bytes: [UInt8]

    func integer<Value: FixedWidthInteger & UnsignedInteger>(_: Value.Type, at offset: Int) -> Value? {
        let width = Value.bitWidth / 8
        guard offset >= 0, offset + width <= bytes.count else { return nil }
        var value = Value(0)
        for index in 0..<width {
            value |= Value(bytes[offset + index]) << (8 * index)
        }
        return value
    }

    func slice(_ offset: Int, _ length: Int) -> [UInt8]? {
        guard offset >= 0, length >= 0, offset + length <= bytes.count else { return nil }
        return Array(bytes[offset..<offset + length])
    }

    /// The ZIP64 extra field's 64-bit values, if the extra block holds one.
    static func zip64Fields(inExtra extra: [UInt8]) -> [UInt64]? {
        let reader = ByteReader(bytes: extra)
        var offset = 0
        while let id = reader.integer(UInt16.self, at: offset), let size = reader.integer(UInt16.self, at: offset + 2) {
            if id == 0x0001, let body = reader.slice(offset + 4, Int(size)) {
                let values = ByteReader(bytes: body)
                return stride(from: 0, to: body.count, by: 8).compactMap { values.integer(UInt64.self, at: $0) }
            }
            offset += 4 + Int(size)
        }
        return nil
    }
}

private struct ParsedLocalHeader {
    var versionNeeded: UInt16
    var crc32: UInt32
    var compressedSize: UInt32
    var uncompressedSize: UInt32
    var name: String
    var zip64Fields: [UInt64]?
    var length: Int

    static func parse(_ bytes: [UInt8]) -> ParsedLocalHeader? {
        let reader = ByteReader(bytes: bytes)
        guard reader.integer(UInt32.self, at: 0) == 0x0403_4B50,
            let version = reader.integer(UInt16.self, at: 4),
            reader.integer(UInt16.self, at: 6) == 0x0800,
            reader.integer(UInt16.self, at: 8) == 0,
            let crc = reader.integer(UInt32.self, at: 14),
            let compressed = reader.integer(UInt32.self, at: 18),
            let uncompressed = reader.integer(UInt32.self, at: 22),
            let nameLength = reader.integer(UInt16.self, at: 26).map(Int.init),
            let extraLength = reader.integer(UInt16.self, at: 28).map(Int.init),
            let name = reader.slice(30, nameLength),
            let extra = reader.slice(30 + nameLength, extraLength),
            bytes.count == 30 + nameLength + extraLength
        else { return nil }
        return ParsedLocalHeader(
            versionNeeded: version, crc32: crc, compressedSize: compressed, uncompressedSize: uncompressed,
            name: String(decoding: name, as: UTF8.self), zip64Fields: ByteReader.zip64Fields(inExtra: extra), length: bytes.count
        )
    }
}

/// The trailer `finish()` returns: central headers, optional ZIP64 end record and locator, end record.
private struct ParsedCentralDirectory {
    struct Header {
        var versionMadeBy: UInt16
        var versionNeeded: UInt16
        var compressedSize: UInt32
        var uncompressedSize: UInt32
        var localHeaderOffset: UInt32
        var zip64Fields: [UInt64]?
    }

    struct ZIP64End {
        var entryCount: UInt64
        var directorySize: UInt64
        var directoryOffset: UInt64
        var locatedAt: UInt64
    }

    struct End {
        var entryCount: UInt16
        var directorySize: UInt32
        var directoryOffset: UInt32
    }

    var headers: [Header] = []
    var headersLength = 0
    var zip64End: ZIP64End?
    var end = End(entryCount: 0, directorySize: 0, directoryOffset: 0)

    static func parse(_ bytes: [UInt8]) -> ParsedCentralDirectory? {
        let reader = ByteReader(bytes: bytes)
        var parsed = ParsedCentralDirectory()
        var offset = 0
        while reader.integer(UInt32.self, at: offset) == 0x0201_4B50 {
            guard let madeBy = reader.integer(UInt16.self, at: offset + 4),
                let needed = reader.integer(UInt16.self, at: offset + 6),
                let compressed = reader.integer(UInt32.self, at: offset + 20),
                let uncompressed = reader.integer(UInt32.self, at: offset + 24),
                let nameLength = reader.integer(UInt16.self, at: offset + 28).map(Int.init),
                let extraLength = reader.integer(UInt16.self, at: offset + 30).map(Int.init),
                reader.integer(UInt32.self, at: offset + 38) == 0o100644 << 16,
                let localOffset = reader.integer(UInt32.self, at: offset + 42),
                let extra = reader.slice(offset + 46 + nameLength, extraLength)
            else { return nil }
            parsed.headers.append(
                Header(
                    versionMadeBy: madeBy, versionNeeded: needed, compressedSize: compressed, uncompressedSize: uncompressed,
                    localHeaderOffset: localOffset, zip64Fields: ByteReader.zip64Fields(inExtra: extra)
                )
            )
            offset += 46 + nameLength + extraLength
        }
        parsed.headersLength = offset
        if reader.integer(UInt32.self, at: offset) == 0x0606_4B50 {
            guard reader.integer(UInt64.self, at: offset + 4) == 44,
                let count = reader.integer(UInt64.self, at: offset + 32),
                let size = reader.integer(UInt64.self, at: offset + 40),
                let directoryOffset = reader.integer(UInt64.self, at: offset + 48),
                reader.integer(UInt32.self, at: offset + 56) == 0x0706_4B50,
                let locatedAt = reader.integer(UInt64.self, at: offset + 64),
                reader.integer(UInt32.self, at: offset + 72) == 1
            else { return nil }
            parsed.zip64End = ZIP64End(entryCount: count, directorySize: size, directoryOffset: directoryOffset, locatedAt: locatedAt)
            offset += 76
        }
        guard reader.integer(UInt32.self, at: offset) == 0x0605_4B50,
            let count = reader.integer(UInt16.self, at: offset + 10),
            let size = reader.integer(UInt32.self, at: offset + 12),
            let directoryOffset = reader.integer(UInt32.self, at: offset + 16),
            offset + 22 == bytes.count
        else { return nil }
        parsed.end = End(entryCount: count, directorySize: size, directoryOffset: directoryOffset)
        return parsed
    }
}
