import Logging

/// Turns the text of one setting into a value, or fails with an error naming the setting.
///
/// Every source (`.env`, environment, flags) delivers text, so every setting goes through
/// exactly one of these functions; that is what makes a flag and an environment variable
/// with the same bad value fail with the same message.
struct SettingParser {
    /// The setting being parsed; every error names it.
    let key: String

    /// A whole number in `range`, digits only: `+80`, `0x50` and `8e3` are refused.
    func integer(_ text: String, in range: ClosedRange<Int>, expected: String) throws(ConfigurationError) -> Int {
        let digits = trimmed(text)
        guard Self.isDigits(digits), let value = Int(digits), range.contains(value) else {
            throw .invalidValue(key: key, value: text, expected: expected)
        }
        return value
    }

    /// `integer(_:in:expected:)` for the Argon2 costs, whose range always fits in UInt32.
    func uint32(_ text: String, in range: ClosedRange<UInt32>, expected: String) throws(ConfigurationError) -> UInt32 {
        UInt32(try integer(text, in: Int(range.lowerBound)...Int(range.upperBound), expected: expected))
    }

    /// Plain seconds (`1800`) or a whole number with a unit: `90s`, `30m`, `2h`
    /// (case-insensitive). Fractions and combinations like `1h30m` are refused rather than
    /// guessed at.
    func duration(_ text: String, in range: ClosedRange<Duration>) throws(ConfigurationError) -> Duration {
        let expected = "a duration from \(Self.format(range.lowerBound)) to \(Self.format(range.upperBound)), in seconds or with s, m or h (e.g. 90s, 30m, 2h)"
        var digits = Substring(trimmed(text).lowercased())
        var unit: Int64 = 1
        if let last = digits.last, let factor = Self.durationUnits[last] {
            unit = factor
            digits.removeLast()
        }
        guard Self.isDigits(digits), let count = Int64(digits) else {
            throw .invalidValue(key: key, value: text, expected: expected)
        }
        let (seconds, overflow) = count.multipliedReportingOverflow(by: unit)
        guard !overflow, range.contains(.seconds(seconds)) else {
            throw .invalidValue(key: key, value: text, expected: expected)
        }
        return .seconds(seconds)
    }

    /// A byte count of at least 1 (or 0 when `allowingZero`, for a limit that can be turned
    /// off): plain bytes, or a whole number with a unit, case-insensitive.
    /// `K`, `M`, `G`, `T` and `KiB` … `TiB` are binary (1024ⁿ); `KB` … `TB` are decimal
    /// (1000ⁿ), as the SI and IEC prefixes say, so `10GB` is not silently 7% larger than
    /// written. A result beyond Int64 is refused, not wrapped.
    func byteCount(_ text: String, allowingZero: Bool = false) throws(ConfigurationError) -> Int64 {
        let expected = (allowingZero ? "0 (off) or a size" : "a size of at least 1 byte")
            + ", in bytes or with a unit such as 500MiB, 10GiB or 2GB"
        let lowered = trimmed(text).lowercased()
        var digits = Substring(lowered)
        var unit: Int64 = 1
        if let match = Self.sizeUnits.first(where: { lowered.hasSuffix($0.suffix) }) {
            digits = digits.dropLast(match.suffix.count)
            digits = digits.dropLast(digits.reversed().prefix { $0 == " " }.count)
            unit = match.factor
        }
        guard Self.isDigits(digits), let count = Int64(digits) else {
            throw .invalidValue(key: key, value: text, expected: expected)
        }
        let (bytes, overflow) = count.multipliedReportingOverflow(by: unit)
        guard !overflow, bytes >= (allowingZero ? 0 : 1) else {
            throw .invalidValue(key: key, value: text, expected: expected)
        }
        return bytes
    }

    /// A file system path, taken as written (leading spaces may be part of a name); it only
    /// has to be non-empty and free of NUL, which no file system call accepts.
    func path(_ text: String) throws(ConfigurationError) -> String {
        guard !text.isEmpty, !text.utf8.contains(0) else {
            throw .invalidValue(key: key, value: text, expected: "a non-empty file system path")
        }
        return text
    }

    /// One of swift-log's level names, case-insensitive.
    func logLevel(_ text: String) throws(ConfigurationError) -> Logger.Level {
        guard let level = Logger.Level(rawValue: trimmed(text).lowercased()) else {
            let names = Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")
            throw .invalidValue(key: key, value: text, expected: "one of \(names)")
        }
        return level
    }

    /// The listening address: an IP literal or a host name.
    func host(_ text: String) throws(ConfigurationError) -> String {
        let host = trimmed(text)
        guard NetworkSyntax.isIPAddress(host) || NetworkSyntax.isHostName(host) else {
            throw .invalidValue(key: key, value: text, expected: "an IP address such as 0.0.0.0 or ::, or a host name")
        }
        return host
    }

    /// Comma-separated entries, trimmed, empty ones dropped (so an empty value is an empty
    /// list). The first invalid entry, not the whole list, is quoted in the error.
    func list(_ text: String, expected: String, where isValid: (String) -> Bool) throws(ConfigurationError) -> [String] {
        let entries = text.split(separator: ",").map { trimmed(String($0)) }.filter { !$0.isEmpty }
        if let invalid = entries.first(where: { !isValid($0) }) {
            throw .invalidValue(key: key, value: invalid, expected: expected)
        }
        return entries
    }

    // MARK: - Helpers

    private static let durationUnits: [Character: Int64] = ["s": 1, "m": 60, "h": 3600]

    /// Longest suffixes first, so `kib` is not read as `b` and `kb` not as `b`.
    private static let sizeUnits: [(suffix: String, factor: Int64)] = [
        ("kib", 1 << 10), ("mib", 1 << 20), ("gib", 1 << 30), ("tib", 1 << 40),
        ("kb", 1_000), ("mb", 1_000_000), ("gb", 1_000_000_000), ("tb", 1_000_000_000_000),
        ("k", 1 << 10), ("m", 1 << 20), ("g", 1 << 30), ("t", 1 << 40), ("b", 1),
    ]

    private static func isDigits(_ text: some StringProtocol) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
    }

    private func trimmed(_ text: String) -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        return String(text.drop(while: isSpace).reversed().drop(while: isSpace).reversed())
    }

    /// A bound as an operator would write it: `7d`, `1h`, `1m`, `10s`.
    static func format(_ duration: Duration) -> String {
        let seconds = duration.components.seconds
        for (unit, size) in [("d", Int64(86400)), ("h", 3600), ("m", 60)] where seconds >= size && seconds % size == 0 {
            return "\(seconds / size)\(unit)"
        }
        return "\(seconds)s"
    }
}
