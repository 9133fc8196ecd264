import Foundation

/// Constants of the ZIP format (PKWARE APPNOTE.TXT 6.3.x), named after the spec's sections.
enum ZIPFormat {
    static let localFileHeaderSignature: UInt32 = 0x0403_4B50  // 4.3.7
    static let centralFileHeaderSignature: UInt32 = 0x0201_4B50  // 4.3.12
    static let zip64EndOfCentralDirectorySignature: UInt32 = 0x0606_4B50  // 4.3.14
    static let zip64EndOfCentralDirectoryLocatorSignature: UInt32 = 0x0706_4B50  // 4.3.15
    static let endOfCentralDirectorySignature: UInt32 = 0x0605_4B50  // 4.3.16

    /// 4.4.3.2: 2.0 is the usual floor for a stored file; 4.5 is required once ZIP64 is used.
    static let versionNeededDefault: UInt16 = 20
    static let versionNeededZIP64: UInt16 = 45
    /// 4.4.2.2: the high byte of "version made by" says how to read the external attributes; 3 is Unix.
    static let madeByUnix: UInt16 = 3 << 8

    /// 4.4.4 bit 11: the name is UTF-8. No other flag is needed: no encryption, and no bit 3,
    /// because the CRC and sizes are in the local header already.
    static let flagUTF8: UInt16 = 1 << 11
    /// 4.4.5: 0 = stored. Uploads are end-to-end encrypted or already compressed in practice,
    /// and storing keeps the archive's size exactly predictable.
    static let methodStored: UInt16 = 0
    /// The Unix mode (regular file, rw-r--r--) in the high 16 bits of the external attributes.
    static let externalAttributesRegularFile: UInt32 = 0o100644 << 16

    /// 4.5.2 extra field IDs.
    static let zip64ExtraID: UInt16 = 0x0001
    static let extendedTimestampExtraID: UInt16 = 0x5455
    /// Extended timestamp flags: bit 0, the modification time is present.
    static let extendedTimestampHasModificationTime: UInt8 = 1

    /// The value a 32-bit field holds when the real value is in the ZIP64 extra or record.
    static let sentinel32: UInt32 = 0xFFFF_FFFF
    static let sentinel16: UInt16 = 0xFFFF

    /// Fixed sizes of the records, without their variable parts.
    static let localFileHeaderSize = 30
    static let centralFileHeaderSize = 46
    static let zip64EndOfCentralDirectorySize = 56
    static let zip64EndOfCentralDirectoryLocatorSize = 20
    static let endOfCentralDirectorySize = 22
    /// Extended timestamp extra with only the modification time: header (4) + flags (1) + time (4).
    static let extendedTimestampExtraSize = 9

    /// Whether a value needs ZIP64 to be recorded: a 32-bit field cannot hold it, or would hold
    /// the sentinel that tells readers to look in the ZIP64 extra instead.
    static func overflows32(_ value: UInt64) -> Bool {
        value >= UInt64(sentinel32)
    }
}

/// A growing little-endian byte string, which is how every ZIP field is encoded.
struct ZIPFieldEncoder {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int) {
        bytes.reserveCapacity(capacity)
    }

    mutating func append<Value: FixedWidthInteger>(_ value: Value) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func append(contentsOf other: [UInt8]) {
        bytes.append(contentsOf: other)
    }
}

/// An entry's modification time in the two forms the archive records.
struct ZIPTimestamp: Equatable {
    /// MS-DOS time (4.4.6): hour << 11 | minute << 5 | second / 2. Local time by convention,
    /// but the server's zone means nothing to the recipient, so UTC is written.
    var dosTime: UInt16
    /// MS-DOS date: (year - 1980) << 9 | month << 5 | day.
    var dosDate: UInt16
    /// Seconds since 1970 for the extended timestamp extra, which carries the exact second and
    /// the zone-free meaning the DOS fields lack. Nil when out of its signed 32-bit range
    /// (after January 2038): the extra is then left out rather than clamped, so extractors fall
    /// back to the DOS fields, which are right to two seconds, instead of a wrong year.
    var unixTime: Int32?

    init(_ date: Date) {
        // Clamp first: a NaN or huge interval from bad metadata must not trap on conversion.
        let interval = date.timeIntervalSince1970
        let clamped = interval.isNaN ? 0 : min(max(interval, -1e12), 1e12)
        let seconds = Int64(clamped.rounded(.down))
        unixTime = Int32(exactly: seconds)

        var (days, secondOfDay) = seconds.quotientAndRemainder(dividingBy: 86_400)
        if secondOfDay < 0 {
            days -= 1
            secondOfDay += 86_400
        }
        var civil = Self.civilDate(daysSince1970: days)
        var hour = secondOfDay / 3600
        var minute = secondOfDay % 3600 / 60
        var second = secondOfDay % 60
        // DOS dates cover 1980 through 2107; outside it, the nearest representable moment.
        if civil.year < 1980 {
            civil = (1980, 1, 1)
            (hour, minute, second) = (0, 0, 0)
        } else if civil.year > 2107 {
            civil = (2107, 12, 31)
            (hour, minute, second) = (23, 59, 58)
        }
        dosTime = UInt16(hour << 11 | minute << 5 | second / 2)
        dosDate = UInt16((civil.year - 1980) << 9 | civil.month << 5 | civil.day)
    }

    /// The proleptic Gregorian date of a day count, without Calendar (Howard Hinnant's
    /// `civil_from_days`): exact, allocation-free and independent of the process's locale.
    static func civilDate(daysSince1970 days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }
}
