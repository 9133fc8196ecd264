import Foundation
import Logging

/// One setting: its name, its default as written in `.env.example`, what it means, and how
/// its text becomes a field of ``Configuration``. The list is the single source for parsing,
/// for the README's table and for `.env.example` (a test keeps them in step).
public struct ConfigurationKey: Sendable {
    public let name: String
    public let defaultValue: String
    public let summary: String
    let apply: @Sendable (String, inout Configuration) throws(ConfigurationError) -> Void

    static func named(_ name: String) -> ConfigurationKey? {
        all.first { $0.name == name }
    }

    public static let all: [ConfigurationKey] = [
        .init(name: "SECUREDROP_HOST", defaultValue: "127.0.0.1", summary: "Address to listen on (0.0.0.0 or :: for every interface).") { value, c throws(ConfigurationError) in
            c.host = try ValueParser.host(value, key: "SECUREDROP_HOST")
        },
        .init(name: "SECUREDROP_PORT", defaultValue: "8443", summary: "TCP port for HTTPS.") { value, c throws(ConfigurationError) in
            c.port = try ValueParser.integer(value, key: "SECUREDROP_PORT", in: 0...65535, expected: "a port number between 1 and 65535")
        },
        .init(name: "SECUREDROP_SERVER_NAME", defaultValue: "", summary: "Extra DNS names (comma-separated) for the generated self-signed certificate.") { value, c throws(ConfigurationError) in
            c.serverNames = try ValueParser.list(value, key: "SECUREDROP_SERVER_NAME", where: ValueParser.isDNSName, expected: "DNS names such as files.example.org")
        },
        .init(name: "SECUREDROP_DATA_DIR", defaultValue: "securedrop-data", summary: "Directory for the database, the key ring and the stored files.") { value, c throws(ConfigurationError) in
            c.dataDirectory = try ValueParser.path(value, key: "SECUREDROP_DATA_DIR")
        },
        .init(name: "SECUREDROP_TLS_CERT", defaultValue: "certs/cert.pem", summary: "PEM certificate chain. When neither this nor the key is set and the files are missing, a self-signed P-256 pair is generated.") { value, c throws(ConfigurationError) in
            c.tlsCertificatePath = try ValueParser.path(value, key: "SECUREDROP_TLS_CERT")
        },
        .init(name: "SECUREDROP_TLS_KEY", defaultValue: "certs/key.pem", summary: "PEM private key for the certificate (mode 0600).") { value, c throws(ConfigurationError) in
            c.tlsKeyPath = try ValueParser.path(value, key: "SECUREDROP_TLS_KEY")
        },
        .init(name: "SECUREDROP_SESSION_TTL", defaultValue: "30m", summary: "Lifetime of a login session (seconds, or with s/m/h), 1m to 7 days.") { value, c throws(ConfigurationError) in
            c.sessionTTL = try ValueParser.duration(value, key: "SECUREDROP_SESSION_TTL", in: .seconds(60) ... .seconds(7 * 24 * 3600))
        },
        .init(name: "SECUREDROP_MAX_UPLOAD_BYTES", defaultValue: "10GiB", summary: "Largest accepted upload (bytes, or with KiB/MiB/GiB/TiB, or KB/MB/GB/TB).") { value, c throws(ConfigurationError) in
            c.maxUploadBytes = try ValueParser.byteCount(value, key: "SECUREDROP_MAX_UPLOAD_BYTES")
        },
        .init(name: "SECUREDROP_ARGON2_MEMORY_KIB", defaultValue: "65536", summary: "Argon2id memory cost in KiB per password hash.") { value, c throws(ConfigurationError) in
            c.argon2.memoryKiB = UInt32(try ValueParser.integer(value, key: "SECUREDROP_ARGON2_MEMORY_KIB", in: 8192...4_194_304, expected: "a number of KiB between 8192 and 4194304"))
        },
        .init(name: "SECUREDROP_ARGON2_ITERATIONS", defaultValue: "3", summary: "Argon2id time cost (passes over memory).") { value, c throws(ConfigurationError) in
            c.argon2.iterations = UInt32(try ValueParser.integer(value, key: "SECUREDROP_ARGON2_ITERATIONS", in: 1...100, expected: "a whole number between 1 and 100"))
        },
        .init(name: "SECUREDROP_ARGON2_PARALLELISM", defaultValue: "1", summary: "Argon2id lanes per hash.") { value, c throws(ConfigurationError) in
            c.argon2.parallelism = UInt32(try ValueParser.integer(value, key: "SECUREDROP_ARGON2_PARALLELISM", in: 1...64, expected: "a whole number between 1 and 64"))
        },
        .init(name: "SECUREDROP_LOG_LEVEL", defaultValue: "info", summary: "trace, debug, info, notice, warning, error or critical.") { value, c throws(ConfigurationError) in
            guard let level = Logger.Level(rawValue: value.lowercased()) else {
                throw .invalidValue(key: "SECUREDROP_LOG_LEVEL", value: value, expected: "one of trace, debug, info, notice, warning, error, critical")
            }
            c.logLevel = level
        },
        .init(name: "SECUREDROP_TRUSTED_PROXIES", defaultValue: "", summary: "Reverse proxies (addresses or CIDR blocks, comma-separated) whose X-Forwarded-For is believed.") { value, c throws(ConfigurationError) in
            c.trustedProxies = try ValueParser.list(value, key: "SECUREDROP_TRUSTED_PROXIES", where: ValueParser.isAddressOrBlock, expected: "IP addresses or CIDR blocks such as 10.0.0.0/8")
        },
        .init(name: "SECUREDROP_HANDSHAKE_TIMEOUT", defaultValue: "10s", summary: "Connections that have not completed the TLS handshake by then are closed.") { value, c throws(ConfigurationError) in
            c.handshakeTimeout = try ValueParser.duration(value, key: "SECUREDROP_HANDSHAKE_TIMEOUT", in: .seconds(1) ... .seconds(120))
        },
        .init(name: "SECUREDROP_IDLE_TIMEOUT", defaultValue: "60s", summary: "Idle keep-alive connections are closed after this long.") { value, c throws(ConfigurationError) in
            c.idleTimeout = try ValueParser.duration(value, key: "SECUREDROP_IDLE_TIMEOUT", in: .seconds(1) ... .seconds(3600))
        },
        .init(name: "SECUREDROP_SHUTDOWN_GRACE", defaultValue: "30s", summary: "On SIGTERM, in-flight transfers get this long to finish.") { value, c throws(ConfigurationError) in
            c.shutdownGracePeriod = try ValueParser.duration(value, key: "SECUREDROP_SHUTDOWN_GRACE", in: .zero ... .seconds(3600))
        },
        .init(name: "SECUREDROP_MAX_CONNECTIONS", defaultValue: "1024", summary: "Most simultaneous client connections.") { value, c throws(ConfigurationError) in
            c.maxConnections = try ValueParser.integer(value, key: "SECUREDROP_MAX_CONNECTIONS", in: 1...1_000_000, expected: "a whole number between 1 and 1000000")
        },
    ]
}

/// Text-to-value conversions shared by the settings, each failing with the key's name.
enum ValueParser {
    static func integer(_ text: String, key: String, in range: ClosedRange<Int>, expected: String) throws(ConfigurationError) -> Int {
        guard let value = Int(text.trimmingCharacters(in: .whitespaces)), range.contains(value) else {
            throw .invalidValue(key: key, value: text, expected: expected)
        }
        return value
    }

    /// Plain seconds ("90") or a number with a unit ("90s", "30m", "2h").
    static func duration(_ text: String, key: String, in range: ClosedRange<Duration>) throws(ConfigurationError) -> Duration {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        let multipliers: [Character: Int64] = ["s": 1, "m": 60, "h": 3600]
        var digits = Substring(trimmed)
        var multiplier: Int64 = 1
        if let last = trimmed.last, let unit = multipliers[last] {
            multiplier = unit
            digits = digits.dropLast()
        }
        let expected = "a duration between \(describe(range.lowerBound)) and \(describe(range.upperBound)), e.g. 90s, 30m or 2h"
        guard !digits.isEmpty, digits.allSatisfy(\.isASCII), let number = Int64(digits),
              case let (seconds, overflow) = number.multipliedReportingOverflow(by: multiplier), !overflow
        else {
            throw .invalidValue(key: key, value: text, expected: expected)
        }
        let duration = Duration.seconds(seconds)
        guard range.contains(duration) else { throw .invalidValue(key: key, value: text, expected: expected) }
        return duration
    }

    private static func describe(_ duration: Duration) -> String {
        let seconds = duration.components.seconds
        if seconds >= 86400, seconds % 86400 == 0 { return "\(seconds / 86400)d" }
        if seconds >= 3600, seconds % 3600 == 0 { return "\(seconds / 3600)h" }
        if seconds >= 60, seconds % 60 == 0 { return "\(seconds / 60)m" }
        return "\(seconds)s"
    }

    /// Bytes, with binary (KiB, MiB, GiB, TiB and the short K, M, G, T) or decimal
    /// (KB, MB, GB, TB) units, case-insensitive.
    static func byteCount(_ text: String, key: String) throws(ConfigurationError) -> Int64 {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let units: [(suffix: String, factor: Int64)] = [
            ("kib", 1 << 10), ("mib", 1 << 20), ("gib", 1 << 30), ("tib", 1 << 40),
            ("kb", 1_000), ("mb", 1_000_000), ("gb", 1_000_000_000), ("tb", 1_000_000_000_000),
            ("k", 1 << 10), ("m", 1 << 20), ("g", 1 << 30), ("t", 1 << 40), ("b", 1),
        ]
        var digits = trimmed.lowercased()
        var factor: Int64 = 1
        if let unit = units.first(where: { digits.hasSuffix($0.suffix) }) {
            digits = String(digits.dropLast(unit.suffix.count)).trimmingCharacters(in: .whitespaces)
            factor = unit.factor
        }
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let number = Int64(digits),
              case let (bytes, overflow) = number.multipliedReportingOverflow(by: factor), !overflow, bytes >= 1
        else {
            throw .invalidValue(key: key, value: text, expected: "a size of at least 1 byte, e.g. 500MiB or 10GiB")
        }
        return bytes
    }

    static func path(_ text: String, key: String) throws(ConfigurationError) -> String {
        guard !text.isEmpty, !text.contains("\0") else {
            throw .invalidValue(key: key, value: text, expected: "a file system path")
        }
        return text
    }

    static func host(_ text: String, key: String) throws(ConfigurationError) -> String {
        guard isIPAddress(text) || isDNSName(text) else {
            throw .invalidValue(key: key, value: text, expected: "an IP address such as 0.0.0.0 or ::, or a host name")
        }
        return text
    }

    /// Comma-separated entries (blanks dropped), each of which must pass `isValid`; the first
    /// that does not is named in the error.
    static func list(_ text: String, key: String, where isValid: (String) -> Bool, expected: String) throws(ConfigurationError) -> [String] {
        let entries = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        if let invalid = entries.first(where: { !isValid($0) }) {
            throw .invalidValue(key: key, value: invalid, expected: expected)
        }
        return entries
    }

    static func isDNSName(_ text: String) -> Bool {
        guard !text.isEmpty, text.utf8.count <= 253 else { return false }
        return text.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
            !label.isEmpty && label.count <= 63 && !label.hasPrefix("-") && !label.hasSuffix("-")
                && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
        }
    }

    static func isIPAddress(_ text: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, text, &v4) == 1 || inet_pton(AF_INET6, text, &v6) == 1
    }

    static func isAddressOrBlock(_ text: String) -> Bool {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2, isIPAddress(String(parts[0])) else { return false }
        guard parts.count == 2 else { return true }
        let maximum = parts[0].contains(":") ? 128 : 32
        guard let prefix = Int(parts[1]), (0...maximum).contains(prefix), parts[1].allSatisfy(\.isNumber) else { return false }
        return true
    }
}
