/// One setting: its name in `.env` and the environment, its default as written in
/// `.env.example`, what it is for, and how its text becomes a field of ``Configuration``.
///
/// ``all`` is the single list of settings: loading, the README's table and `.env.example`
/// all come from it (a test keeps `.env.example` in step), so a setting cannot exist in one
/// place and be missing from another.
public struct ConfigurationKey: Sendable {
    /// The variable name, e.g. `SECUREDROP_PORT`.
    public let name: String
    /// The default, spelled as an operator would write it in `.env` (empty: nothing).
    public let defaultValue: String
    /// One sentence for documentation.
    public let summary: String
    /// Parses `text` and stores it in the configuration.
    let apply: @Sendable (_ text: String, _ configuration: inout Configuration) throws(ConfigurationError) -> Void

    init(
        _ name: String,
        default defaultValue: String,
        _ summary: String,
        apply: @escaping @Sendable (_ parser: SettingParser, _ text: String, _ configuration: inout Configuration) throws(ConfigurationError) -> Void
    ) {
        self.name = name
        self.defaultValue = defaultValue
        self.summary = summary
        self.apply = { text, configuration throws(ConfigurationError) in
            try apply(SettingParser(key: name), text, &configuration)
        }
    }

    /// The setting called `name`, if there is one.
    static func named(_ name: String) -> ConfigurationKey? {
        all.first { $0.name == name }
    }

    /// The known setting a typo most likely meant: the nearest name within two edits, so
    /// `SECUREDROP_PROT` suggests `SECUREDROP_PORT` but an unrelated name suggests nothing.
    static func closest(to name: String) -> ConfigurationKey? {
        let candidates = all.map { (key: $0, distance: editDistance(name, $0.name)) }
        guard let best = candidates.min(by: { $0.distance < $1.distance }), best.distance <= 2 else { return nil }
        return best.key
    }

    /// Levenshtein distance over Unicode scalars, one row at a time.
    private static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a.unicodeScalars), b = Array(b.unicodeScalars)
        var previous = Array(0...b.count)
        for (i, x) in a.enumerated() {
            var current = [i + 1]
            for (j, y) in b.enumerated() {
                current.append(min(previous[j + 1] + 1, current[j] + 1, previous[j] + (x == y ? 0 : 1)))
            }
            previous = current
        }
        return previous[b.count]
    }

    /// Every setting, in the order `.env.example` documents them.
    public static let all: [ConfigurationKey] = [
        .init("SECUREDROP_HOST", default: "127.0.0.1", "Address to listen on (0.0.0.0 or :: for every interface).") { p, text, c throws(ConfigurationError) in
            c.host = try p.host(text)
        },
        .init("SECUREDROP_PORT", default: "8443", "TCP port for HTTPS.") { p, text, c throws(ConfigurationError) in
            c.port = try p.integer(text, in: 0...65535, expected: "a port number between 1 and 65535 (or 0 for any free port)")
        },
        .init("SECUREDROP_SERVER_NAME", default: "", "Extra DNS names (comma-separated) for the generated self-signed certificate.") { p, text, c throws(ConfigurationError) in
            c.serverNames = try p.list(text, expected: "DNS names such as files.example.org", where: NetworkSyntax.isHostName)
        },
        .init("SECUREDROP_DATA_DIR", default: "securedrop-data", "Directory for the database, the key ring and the stored files.") { p, text, c throws(ConfigurationError) in
            c.dataDirectory = try p.path(text)
        },
        .init("SECUREDROP_TLS_CERT", default: "certs/cert.pem", "PEM certificate chain. When neither this nor the key is set and the files are missing, a self-signed P-256 pair is generated.") { p, text, c throws(ConfigurationError) in
            c.tlsCertificatePath = try p.path(text)
        },
        .init("SECUREDROP_TLS_KEY", default: "certs/key.pem", "PEM private key for the certificate (mode 0600).") { p, text, c throws(ConfigurationError) in
            c.tlsKeyPath = try p.path(text)
        },
        .init("SECUREDROP_SESSION_TTL", default: "30m", "Lifetime of a login session (seconds, or with s/m/h), 1m to 7 days.") { p, text, c throws(ConfigurationError) in
            c.sessionTTL = try p.duration(text, in: .seconds(60) ... .seconds(7 * 86400))
        },
        .init("SECUREDROP_MAX_UPLOAD_BYTES", default: "10GiB", "Largest accepted upload (bytes, or with KiB/MiB/GiB/TiB, or KB/MB/GB/TB).") { p, text, c throws(ConfigurationError) in
            c.maxUploadBytes = try p.byteCount(text)
        },
        .init("SECUREDROP_ARGON2_MEMORY_KIB", default: "65536", "Argon2id memory cost in KiB per password hash.") { p, text, c throws(ConfigurationError) in
            c.argon2.memoryKiB = try p.uint32(text, in: 8192...4_194_304, expected: "a number of KiB between 8192 and 4194304")
        },
        .init("SECUREDROP_ARGON2_ITERATIONS", default: "3", "Argon2id time cost (passes over memory).") { p, text, c throws(ConfigurationError) in
            c.argon2.iterations = try p.uint32(text, in: 1...100, expected: "a whole number between 1 and 100")
        },
        .init("SECUREDROP_ARGON2_PARALLELISM", default: "1", "Argon2id lanes per hash.") { p, text, c throws(ConfigurationError) in
            c.argon2.parallelism = try p.uint32(text, in: 1...64, expected: "a whole number between 1 and 64")
        },
        .init("SECUREDROP_LOG_LEVEL", default: "info", "trace, debug, info, notice, warning, error or critical.") { p, text, c throws(ConfigurationError) in
            c.logLevel = try p.logLevel(text)
        },
        .init("SECUREDROP_TRUSTED_PROXIES", default: "", "Reverse proxies (addresses or CIDR blocks, comma-separated) whose X-Forwarded-For is believed.") { p, text, c throws(ConfigurationError) in
            c.trustedProxies = try p.list(text, expected: "IP addresses or CIDR blocks such as 10.0.0.0/8 or fd00::/8", where: NetworkSyntax.isAddressOrBlock)
        },
        .init("SECUREDROP_HANDSHAKE_TIMEOUT", default: "10s", "Connections that have not completed the TLS handshake by then are closed.") { p, text, c throws(ConfigurationError) in
            c.handshakeTimeout = try p.duration(text, in: .seconds(1) ... .seconds(120))
        },
        .init("SECUREDROP_IDLE_TIMEOUT", default: "60s", "Idle keep-alive connections are closed after this long.") { p, text, c throws(ConfigurationError) in
            c.idleTimeout = try p.duration(text, in: .seconds(1) ... .seconds(3600))
        },
        .init("SECUREDROP_SHUTDOWN_GRACE", default: "30s", "On SIGTERM, in-flight transfers get this long to finish.") { p, text, c throws(ConfigurationError) in
            c.shutdownGracePeriod = try p.duration(text, in: .zero ... .seconds(3600))
        },
        .init("SECUREDROP_MAX_CONNECTIONS", default: "1024", "Most simultaneous client connections.") { p, text, c throws(ConfigurationError) in
            c.maxConnections = try p.integer(text, in: 1...1_000_000, expected: "a whole number between 1 and 1000000")
        },
        .init("SECUREDROP_MIN_TRANSFER_RATE", default: "1KiB", "Bytes per second a client must at least send or read while a body is in transfer (0: no minimum).") { p, text, c throws(ConfigurationError) in
            c.minimumTransferRate.bytesPerSecond = try p.byteCount(text, allowingZero: true)
        },
        .init("SECUREDROP_TRANSFER_RATE_WINDOW", default: "30s", "The minimum transfer rate is averaged over, and checked once per, this long.") { p, text, c throws(ConfigurationError) in
            c.minimumTransferRate.window = try p.duration(text, in: .seconds(1) ... .seconds(3600))
        },
    ]
}
