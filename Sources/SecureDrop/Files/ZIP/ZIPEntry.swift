public import Foundation

/// One file of a ZIP archive, described completely before any of its bytes are sent.
///
/// The size and CRC-32 come from the metadata recorded at upload time. Knowing them up front is
/// what lets the writer put the real values in the local header and skip data descriptors, so
/// the archive is plain, streamable, and its total size is known before the first byte.
public struct ZIPEntry: Sendable, Equatable {
    /// The file name, stored as UTF-8 (general-purpose flag bit 11). See ``storedName``.
    public var name: String
    /// The file's size in bytes; with the store method, also the size of its data in the archive.
    public var size: UInt64
    /// CRC-32 of the file's bytes (see ``CRC32``).
    public var crc32: UInt32
    /// Written as a DOS date and time in UTC and as a Unix modification time (extra field 0x5455).
    public var modified: Date

    public init(name: String, size: UInt64, crc32: UInt32, modified: Date) {
        self.name = name
        self.size = size
        self.crc32 = crc32
        self.modified = modified
    }

    /// The name as written to the archive.
    ///
    /// Callers pass plain file names, but an archive entry name is a path to the tool that
    /// extracts it: a `/` or `\` could place the file elsewhere ("zip slip"), and a NUL would
    /// truncate it in C-based tools. Those become `_`. Names that would be empty or a directory
    /// reference (`.`, `..`) become underscores too, and the name is cut (at a Unicode scalar
    /// boundary, so it stays valid UTF-8) to the 65,535 bytes its 16-bit length field can hold.
    public var storedName: String {
        var scalars = String.UnicodeScalarView()
        var byteCount = 0
        for scalar in name.unicodeScalars {
            let safe: Unicode.Scalar = (scalar == "/" || scalar == "\\" || scalar == "\0") ? "_" : scalar
            let length = UTF8.width(safe)
            guard byteCount + length <= Int(UInt16.max) else { break }
            scalars.append(safe)
            byteCount += length
        }
        switch String(scalars) {
        case "": return "_"
        case ".": return "_"
        case "..": return "__"
        case let stored: return stored
        }
    }
}
