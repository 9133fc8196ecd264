import Foundation
import Logging
import Testing
@testable import SecureDrop

@Suite("Configuration")
struct ConfigurationTests {
    // MARK: Defaults and documentation

    @Test("With no settings, every field has its documented default")
    func defaults() throws {
        let configuration = try Configuration.load(environment: [:])
        #expect(configuration == Configuration())
        #expect(configuration.host == "127.0.0.1")
        #expect(configuration.port == 8443)
        #expect(configuration.serverNames == [])
        #expect(configuration.dataDirectory == "securedrop-data")
        #expect(configuration.tlsCertificatePath == "certs/cert.pem")
        #expect(configuration.tlsKeyPath == "certs/key.pem")
        #expect(configuration.generatesCertificateWhenMissing)
        #expect(configuration.sessionTTL == .seconds(1800))
        #expect(configuration.maxUploadBytes == 10_737_418_240)
        #expect(configuration.argon2 == Argon2Parameters(memoryKiB: 65536, iterations: 3, parallelism: 1))
        #expect(configuration.logLevel == .info)
        #expect(configuration.trustedProxies == [])
        #expect(configuration.handshakeTimeout == .seconds(10))
        #expect(configuration.idleTimeout == .seconds(60))
        #expect(configuration.shutdownGracePeriod == .seconds(30))
        #expect(configuration.maxConnections == 1024)
    }

    @Test("Each documented default, written out, gives the built-in default")
    func documentedDefaultsParse() throws {
        let written = Dictionary(uniqueKeysWithValues: Configuration.keys.map { ($0.name, $0.defaultValue) })
        var configuration = try Configuration.load(environment: written)
        // Naming the certificate pair explicitly is the one thing that changes behaviour.
        #expect(!configuration.generatesCertificateWhenMissing)
        configuration.generatesCertificateWhenMissing = true
        #expect(configuration == Configuration())
    }

    @Test("The key list is complete: every setting has a unique name and changes a field")
    func keysAreWired() throws {
        let names = Configuration.keys.map(\.name)
        #expect(Set(names).count == names.count)
        #expect(names.count == 19)
        #expect(names.allSatisfy { $0.hasPrefix("SECUREDROP_") })
        #expect(Configuration.keys.allSatisfy { !$0.summary.isEmpty })
        // A valid value other than the default, per key: if a key were listed but not
        // applied, loading it would leave the configuration at its defaults.
        let nonDefault: [String: String] = [
            "SECUREDROP_HOST": "0.0.0.0", "SECUREDROP_PORT": "9443", "SECUREDROP_SERVER_NAME": "files.example.org",
            "SECUREDROP_DATA_DIR": "/srv/drop", "SECUREDROP_SESSION_TTL": "1h", "SECUREDROP_MAX_UPLOAD_BYTES": "1MiB",
            "SECUREDROP_ARGON2_MEMORY_KIB": "8192", "SECUREDROP_ARGON2_ITERATIONS": "2", "SECUREDROP_ARGON2_PARALLELISM": "4",
            "SECUREDROP_LOG_LEVEL": "debug", "SECUREDROP_TRUSTED_PROXIES": "10.0.0.0/8", "SECUREDROP_HANDSHAKE_TIMEOUT": "5s",
            "SECUREDROP_IDLE_TIMEOUT": "2m", "SECUREDROP_SHUTDOWN_GRACE": "0", "SECUREDROP_MAX_CONNECTIONS": "10",
            "SECUREDROP_MIN_TRANSFER_RATE": "0", "SECUREDROP_TRANSFER_RATE_WINDOW": "10s",
        ]
        #expect(Set(nonDefault.keys).union(["SECUREDROP_TLS_CERT", "SECUREDROP_TLS_KEY"]) == Set(names))
        for (key, value) in nonDefault {
            #expect(try Configuration.load(environment: [key: value]) != Configuration(), "\(key) is not applied")
        }
        let pair = try Configuration.load(environment: ["SECUREDROP_TLS_CERT": "a.pem", "SECUREDROP_TLS_KEY": "b.pem"])
        #expect(pair.tlsCertificatePath == "a.pem")
        #expect(pair.tlsKeyPath == "b.pem")
    }

    @Test(".env.example documents every setting with its default, and is itself a valid .env")
    func envExampleIsComplete() throws {
        let root = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let example = try String(contentsOf: root.appendingPathComponent(".env.example"), encoding: .utf8)
        for key in Configuration.keys {
            #expect(example.contains("# \(key.name)=\(key.defaultValue)\n"), "\(key.name) missing from .env.example")
        }
        let parsed = try DotEnvFile(contents: example, path: ".env.example")
        #expect(parsed.values.isEmpty)
    }

    // MARK: Sources

    @Test("Precedence: defaults < .env < environment < command-line flags")
    func precedence() throws {
        let dotEnv = try DotEnvFile(contents: """
            SECUREDROP_PORT=1001
            SECUREDROP_HOST=0.0.0.0
            SECUREDROP_LOG_LEVEL=debug
            """, path: ".env")
        let configuration = try Configuration.load(
            environment: ["SECUREDROP_PORT": "1002", "SECUREDROP_HOST": "::"],
            dotEnv: dotEnv,
            overrides: ["SECUREDROP_PORT": "1003"]
        )
        #expect(configuration.port == 1003)  // all three: the flag wins
        #expect(configuration.host == "::")  // .env and environment: the environment wins
        #expect(configuration.logLevel == .debug)  // .env only
        #expect(configuration.dataDirectory == "securedrop-data")  // nowhere: the default
    }

    @Test("A valid later source does not excuse an invalid earlier one")
    func everySourceIsValidatedWhenUsed() throws {
        // The environment's value replaces the .env value before parsing, so only the
        // value in force is parsed; what matters is that the one in force is right.
        let dotEnv = try DotEnvFile(contents: "SECUREDROP_PORT=not-a-port\n", path: ".env")
        #expect(try Configuration.load(environment: ["SECUREDROP_PORT": "9000"], dotEnv: dotEnv).port == 9000)
        #expect(throws: ConfigurationError.invalidValue(key: "SECUREDROP_PORT", value: "not-a-port", expected: "a port number between 1 and 65535 (or 0 for any free port)")) {
            try Configuration.load(environment: [:], dotEnv: dotEnv)
        }
    }

    // MARK: Invalid values

    static let invalidCases: [(String, String)] = [
        ("SECUREDROP_HOST", "not a host"), ("SECUREDROP_HOST", "10.0.0.256"), ("SECUREDROP_HOST", "-leading.example"),
        ("SECUREDROP_HOST", "[::1]"), ("SECUREDROP_HOST", String(repeating: "a.", count: 127)), ("SECUREDROP_HOST", ""),
        ("SECUREDROP_PORT", "eighty"), ("SECUREDROP_PORT", "65536"), ("SECUREDROP_PORT", "-1"), ("SECUREDROP_PORT", "+80"),
        ("SECUREDROP_PORT", ""), ("SECUREDROP_SERVER_NAME", "bad_name.example"), ("SECUREDROP_SERVER_NAME", "ok.example, *.example"),
        ("SECUREDROP_DATA_DIR", ""), ("SECUREDROP_DATA_DIR", "a\0b"), ("SECUREDROP_TLS_CERT", ""),
        ("SECUREDROP_SESSION_TTL", "59"), ("SECUREDROP_SESSION_TTL", "8d"), ("SECUREDROP_SESSION_TTL", "30x"),
        ("SECUREDROP_SESSION_TTL", "1.5h"), ("SECUREDROP_SESSION_TTL", "169h"), ("SECUREDROP_SESSION_TTL", "m"),
        ("SECUREDROP_MAX_UPLOAD_BYTES", "0"), ("SECUREDROP_MAX_UPLOAD_BYTES", "huge"), ("SECUREDROP_MAX_UPLOAD_BYTES", "-1"),
        ("SECUREDROP_MAX_UPLOAD_BYTES", "99999999999TiB"), ("SECUREDROP_MAX_UPLOAD_BYTES", "1.5GiB"), ("SECUREDROP_MAX_UPLOAD_BYTES", "1PiB"),
        ("SECUREDROP_ARGON2_MEMORY_KIB", "8191"), ("SECUREDROP_ARGON2_MEMORY_KIB", "4194305"), ("SECUREDROP_ARGON2_ITERATIONS", "0"),
        ("SECUREDROP_ARGON2_ITERATIONS", "101"), ("SECUREDROP_ARGON2_PARALLELISM", "0"), ("SECUREDROP_ARGON2_PARALLELISM", "65"),
        ("SECUREDROP_LOG_LEVEL", "loud"), ("SECUREDROP_LOG_LEVEL", "warn"),
        ("SECUREDROP_TRUSTED_PROXIES", "10.0.0.0/33"), ("SECUREDROP_TRUSTED_PROXIES", "proxy.local"), ("SECUREDROP_TRUSTED_PROXIES", "::1/129"),
        ("SECUREDROP_TRUSTED_PROXIES", "10.0.0.0/"), ("SECUREDROP_TRUSTED_PROXIES", "10.0.0.0/8/8"), ("SECUREDROP_TRUSTED_PROXIES", "10.0.0.0/-1"),
        ("SECUREDROP_HANDSHAKE_TIMEOUT", "0s"), ("SECUREDROP_HANDSHAKE_TIMEOUT", "121"), ("SECUREDROP_IDLE_TIMEOUT", "2h"),
        ("SECUREDROP_IDLE_TIMEOUT", "0"), ("SECUREDROP_SHUTDOWN_GRACE", "-5"), ("SECUREDROP_SHUTDOWN_GRACE", "61m"),
        ("SECUREDROP_MAX_CONNECTIONS", "0"), ("SECUREDROP_MAX_CONNECTIONS", "1000001"),
        ("SECUREDROP_MIN_TRANSFER_RATE", "-1"), ("SECUREDROP_MIN_TRANSFER_RATE", "fast"), ("SECUREDROP_MIN_TRANSFER_RATE", "1.5KiB"),
        ("SECUREDROP_TRANSFER_RATE_WINDOW", "0"), ("SECUREDROP_TRANSFER_RATE_WINDOW", "2h"),
    ]

    @Test("Every invalid value is reported with the key's name first", arguments: invalidCases)
    func invalidValues(key: String, value: String) throws {
        // Both halves of the certificate pair are named, so only the value under test can fail.
        var environment = ["SECUREDROP_TLS_CERT": "c.pem", "SECUREDROP_TLS_KEY": "k.pem"]
        environment[key] = value
        for (env, flags) in [(environment, [String: String]()), (["SECUREDROP_TLS_CERT": "c.pem", "SECUREDROP_TLS_KEY": "k.pem"], [key: value])] {
            do {
                _ = try Configuration.load(environment: env, overrides: flags)
                Issue.record("\(key)=\(value) was accepted")
            } catch {
                #expect(error.description.hasPrefix("\(key): "), "\(error)")
                #expect(!error.description.contains("\n"))
                guard case .invalidValue(let reportedKey, _, let expected) = error else {
                    Issue.record("unexpected error \(error)")
                    continue
                }
                #expect(reportedKey == key)
                #expect(!expected.isEmpty)
            }
        }
    }

    @Test("The message quotes the value and says what is expected")
    func messageFormat() {
        let error = ConfigurationError.invalidValue(key: "SECUREDROP_PORT", value: "abc", expected: "a port number between 1 and 65535")
        #expect(error.description == #"SECUREDROP_PORT: "abc" is not valid; expected a port number between 1 and 65535"#)
        #expect(throws: ConfigurationError.invalidValue(key: "SECUREDROP_SESSION_TTL", value: "8d", expected: "a duration from 1m to 7d, in seconds or with s, m or h (e.g. 90s, 30m, 2h)")) {
            try Configuration.load(environment: ["SECUREDROP_SESSION_TTL": "8d"])
        }
    }

    @Test("Long values are cut to 60 characters and control characters escaped")
    func longAndControlValues() {
        let long = String(repeating: "x", count: 59) + "SECRET-TAIL"
        let cut = ConfigurationError.invalidValue(key: "SECUREDROP_HOST", value: long, expected: "a host").description
        #expect(cut == "SECUREDROP_HOST: \"" + String(repeating: "x", count: 59) + "…\" is not valid; expected a host")
        #expect(!cut.contains("SECRET"))
        let exactly60 = String(repeating: "y", count: 60)
        #expect(ConfigurationError.invalidValue(key: "K", value: exactly60, expected: "e").description == "K: \"\(exactly60)\" is not valid; expected e")

        let control = ConfigurationError.invalidValue(key: "SECUREDROP_HOST", value: "a\nb\"c\\", expected: "a host").description
        #expect(control == #"SECUREDROP_HOST: "a\nb\"c\\" is not valid; expected a host"#)
    }

    // MARK: Value syntax

    static let durationCases: [(String, String, Duration)] = [
        ("SECUREDROP_SESSION_TTL", "1800", .seconds(1800)), ("SECUREDROP_SESSION_TTL", "90s", .seconds(90)),
        ("SECUREDROP_SESSION_TTL", "45m", .seconds(2700)), ("SECUREDROP_SESSION_TTL", "2H", .seconds(7200)),
        ("SECUREDROP_SESSION_TTL", " 30m ", .seconds(1800)), ("SECUREDROP_SESSION_TTL", "60", .seconds(60)),
        ("SECUREDROP_SESSION_TTL", "1m", .seconds(60)), ("SECUREDROP_SESSION_TTL", "168h", .seconds(604_800)),
        ("SECUREDROP_HANDSHAKE_TIMEOUT", "1", .seconds(1)), ("SECUREDROP_HANDSHAKE_TIMEOUT", "2m", .seconds(120)),
        ("SECUREDROP_IDLE_TIMEOUT", "1h", .seconds(3600)), ("SECUREDROP_SHUTDOWN_GRACE", "0", .zero),
        ("SECUREDROP_SHUTDOWN_GRACE", "0s", .zero), ("SECUREDROP_SHUTDOWN_GRACE", "60m", .seconds(3600)),
    ]

    @Test("Durations: plain seconds or s/m/h, within each key's bounds", arguments: durationCases)
    func durations(key: String, text: String, expected: Duration) throws {
        let configuration = try Configuration.load(environment: [key: text])
        let value = switch key {
        case "SECUREDROP_SESSION_TTL": configuration.sessionTTL
        case "SECUREDROP_HANDSHAKE_TIMEOUT": configuration.handshakeTimeout
        case "SECUREDROP_IDLE_TIMEOUT": configuration.idleTimeout
        default: configuration.shutdownGracePeriod
        }
        #expect(value == expected)
    }

    @Test("Durations that overflow or fall outside the range are refused", arguments: [
        "604801", "9223372036854775807h", "9223372036854775808", "99999999999999999999s", "0", "",
    ])
    func durationOverflow(text: String) {
        #expect(throws: ConfigurationError.self) { try Configuration.load(environment: ["SECUREDROP_SESSION_TTL": text]) }
    }

    static let sizeCases: [(String, Int64)] = [
        ("1", 1), ("1b", 1), ("512KiB", 512 << 10), ("500MiB", 500 << 20), ("2g", 2 << 30), ("1TiB", 1 << 40),
        ("1k", 1024), ("1K", 1024), ("1kib", 1024), ("3KB", 3000), ("3kb", 3000), ("5 MB", 5_000_000),
        ("1GB", 1_000_000_000), ("2TB", 2_000_000_000_000), ("10GiB", 10 << 30), ("7T", 7 << 40),
        ("9223372036854775807", Int64.max), ("8388607TiB", 8_388_607 << 40),
    ]

    @Test("Sizes: K/M/G/T and KiB…TiB are binary, KB…TB decimal, any case", arguments: sizeCases)
    func sizes(text: String, bytes: Int64) throws {
        #expect(try Configuration.load(environment: ["SECUREDROP_MAX_UPLOAD_BYTES": text]).maxUploadBytes == bytes)
    }

    @Test("Sizes beyond Int64 are refused rather than wrapped", arguments: [
        "9223372036854775808", "9223372036854775807K", "8388608TiB", "9223372036854776TB", "0KiB",
    ])
    func sizeOverflow(text: String) {
        #expect(throws: ConfigurationError.invalidValue(key: "SECUREDROP_MAX_UPLOAD_BYTES", value: text, expected: "a size of at least 1 byte, in bytes or with a unit such as 500MiB, 10GiB or 2GB")) {
            try Configuration.load(environment: ["SECUREDROP_MAX_UPLOAD_BYTES": text])
        }
    }

    @Test("The minimum transfer rate is a size per second; 0 turns it off")
    func minimumTransferRate() throws {
        #expect(Configuration().minimumTransferRate == MinimumTransferRate(bytesPerSecond: 1024, window: .seconds(30)))
        let off = try Configuration.load(environment: ["SECUREDROP_MIN_TRANSFER_RATE": "0"])
        #expect(!off.minimumTransferRate.isEnabled)
        let set = try Configuration.load(environment: ["SECUREDROP_MIN_TRANSFER_RATE": "4KiB", "SECUREDROP_TRANSFER_RATE_WINDOW": "1m"])
        #expect(set.minimumTransferRate == MinimumTransferRate(bytesPerSecond: 4096, window: .seconds(60)))
        #expect(throws: ConfigurationError.invalidValue(key: "SECUREDROP_MIN_TRANSFER_RATE", value: "-1", expected: "0 (off) or a size, in bytes or with a unit such as 500MiB, 10GiB or 2GB")) {
            try Configuration.load(environment: ["SECUREDROP_MIN_TRANSFER_RATE": "-1"])
        }
    }

    @Test("Numbers at the edges of their ranges are accepted")
    func integerBounds() throws {
        #expect(try Configuration.load(environment: ["SECUREDROP_PORT": "0"]).port == 0)
        #expect(try Configuration.load(environment: ["SECUREDROP_PORT": "65535"]).port == 65535)
        let low = try Configuration.load(environment: [
            "SECUREDROP_ARGON2_MEMORY_KIB": "8192", "SECUREDROP_ARGON2_ITERATIONS": "1", "SECUREDROP_ARGON2_PARALLELISM": "1",
            "SECUREDROP_MAX_CONNECTIONS": "1",
        ])
        #expect(low.argon2 == Argon2Parameters(memoryKiB: 8192, iterations: 1, parallelism: 1))
        #expect(low.maxConnections == 1)
        let high = try Configuration.load(environment: [
            "SECUREDROP_ARGON2_MEMORY_KIB": "4194304", "SECUREDROP_ARGON2_ITERATIONS": "100", "SECUREDROP_ARGON2_PARALLELISM": "64",
            "SECUREDROP_MAX_CONNECTIONS": "1000000",
        ])
        #expect(high.argon2 == Argon2Parameters(memoryKiB: 4_194_304, iterations: 100, parallelism: 64))
        #expect(high.maxConnections == 1_000_000)
    }

    @Test("Hosts: IP literals and host names", arguments: [
        "0.0.0.0", "::", "::1", "fe80::1:2", "127.0.0.1", "localhost", "files.example.org", "a-b.example", "xn--bcher-kva.example",
        String(repeating: "a.", count: 126) + "a",
    ])
    func hosts(host: String) throws {
        #expect(try Configuration.load(environment: ["SECUREDROP_HOST": host]).host == host)
    }

    @Test("Log levels by name, any case")
    func logLevels() throws {
        for level in Logger.Level.allCases {
            #expect(try Configuration.load(environment: ["SECUREDROP_LOG_LEVEL": level.rawValue.uppercased()]).logLevel == level)
        }
    }

    @Test("Lists: server names and trusted proxies, trimmed, empty entries dropped")
    func lists() throws {
        let configuration = try Configuration.load(environment: [
            "SECUREDROP_SERVER_NAME": "files.example.org, drop.example.org,",
            "SECUREDROP_TRUSTED_PROXIES": "10.0.0.0/8,192.168.1.7, ::1, fd00::/8, 0.0.0.0/0, ::/128",
        ])
        #expect(configuration.serverNames == ["files.example.org", "drop.example.org"])
        #expect(configuration.trustedProxies == ["10.0.0.0/8", "192.168.1.7", "::1", "fd00::/8", "0.0.0.0/0", "::/128"])
        let empty = try Configuration.load(environment: ["SECUREDROP_SERVER_NAME": "", "SECUREDROP_TRUSTED_PROXIES": " "])
        #expect(empty.serverNames == [])
        #expect(empty.trustedProxies == [])
    }

    @Test("A bad list entry is quoted on its own")
    func badListEntry() {
        #expect(throws: ConfigurationError.invalidValue(key: "SECUREDROP_TRUSTED_PROXIES", value: "10.1.2.300", expected: "IP addresses or CIDR blocks such as 10.0.0.0/8 or fd00::/8")) {
            try Configuration.load(environment: ["SECUREDROP_TRUSTED_PROXIES": "10.0.0.1, 10.1.2.300"])
        }
    }

    // MARK: Unknown and forbidden names

    @Test("A typo in a SECUREDROP_ name is an error in every source; other variables are ignored")
    func unknownKeys() throws {
        #expect(throws: ConfigurationError.unknownKey(key: "SECUREDROP_PROT", source: "the environment")) {
            try Configuration.load(environment: ["SECUREDROP_PROT": "9000"])
        }
        let dotEnv = try DotEnvFile(contents: "SECUREDROP_DATADIR=/srv\n", path: "/etc/securedrop.env")
        #expect(throws: ConfigurationError.unknownKey(key: "SECUREDROP_DATADIR", source: "/etc/securedrop.env")) {
            try Configuration.load(environment: [:], dotEnv: dotEnv)
        }
        #expect(throws: ConfigurationError.unknownKey(key: "SECUREDROP_HOSTNAME", source: "command-line flags")) {
            try Configuration.load(environment: [:], overrides: ["SECUREDROP_HOSTNAME": "x"])
        }
        let ignored = ["PATH": "/bin", "HOME": "/root", "PORT": "80", "securedrop_port": "1", "SECUREDROP_URL": "https://x", "SECUREDROP_SERVER_BINARY": "/bin/x"]
        #expect(try Configuration.load(environment: ignored) == Configuration())
    }

    @Test("An unknown name suggests the setting it is closest to")
    func unknownKeySuggestion() {
        let typo = ConfigurationError.unknownKey(key: "SECUREDROP_PROT", source: "the environment")
        #expect(typo.description == "SECUREDROP_PROT: unknown setting (in the environment); did you mean SECUREDROP_PORT?")
        #expect(ConfigurationError.unknownKey(key: "SECUREDROP_DATADIR", source: ".env").description.hasSuffix("did you mean SECUREDROP_DATA_DIR?"))
        let unrelated = ConfigurationError.unknownKey(key: "SECUREDROP_COLOUR", source: ".env")
        #expect(unrelated.description == "SECUREDROP_COLOUR: unknown setting (in .env); .env.example lists the valid names")
    }

    @Test("Plaintext credentials are refused, with the way to do it instead", arguments: [
        ("S_USERNAME", "user add"), ("S_PASSWORD", "user add"), ("SECUREDROP_PASSWORD", "user add"),
        ("SECUREDROP_ADMIN_PASSWORD", "user add"), ("FLASK_SECRET_KEY", "secret rotate"),
        ("SECUREDROP_SECRET_KEY", "secret rotate"), ("SECUREDROP_JWT_SECRET", "secret rotate"),
    ])
    func forbiddenKeys(key: String, command: String) throws {
        let dotEnv = try DotEnvFile(contents: "\(key)=hunter2\n", path: ".env")
        let sources: [(environment: [String: String], dotEnv: DotEnvFile?)] = [([key: "hunter2"], nil), ([:], dotEnv)]
        for source in sources {
            do {
                _ = try Configuration.load(environment: source.environment, dotEnv: source.dotEnv)
                Issue.record("\(key) was accepted")
            } catch {
                guard case .forbiddenKey(let reported, _) = error else {
                    Issue.record("unexpected error \(error)")
                    continue
                }
                #expect(reported == key)
                #expect(error.description.hasPrefix("\(key): "))
                #expect(error.description.contains("securedrop-admin \(command)"))
                #expect(!error.description.contains("hunter2"))
            }
        }
    }

    // MARK: Certificate pair

    @Test("Certificate and key are named together or not at all")
    func certificatePair() throws {
        let neither = try Configuration.load(environment: [:])
        #expect(neither.generatesCertificateWhenMissing)

        let both = try Configuration.load(environment: ["SECUREDROP_TLS_CERT": "/etc/le/fullchain.pem", "SECUREDROP_TLS_KEY": "/etc/le/privkey.pem"])
        #expect(both.tlsCertificatePath == "/etc/le/fullchain.pem")
        #expect(both.tlsKeyPath == "/etc/le/privkey.pem")
        #expect(!both.generatesCertificateWhenMissing)

        // Naming the default paths still counts as naming them: a missing file is then an error.
        let defaultsNamed = try Configuration.load(environment: ["SECUREDROP_TLS_CERT": "certs/cert.pem", "SECUREDROP_TLS_KEY": "certs/key.pem"])
        #expect(!defaultsNamed.generatesCertificateWhenMissing)

        // The halves may come from different sources.
        let dotEnv = try DotEnvFile(contents: "SECUREDROP_TLS_CERT=/etc/le/fullchain.pem\n", path: ".env")
        let split = try Configuration.load(environment: [:], dotEnv: dotEnv, overrides: ["SECUREDROP_TLS_KEY": "/etc/le/privkey.pem"])
        #expect(split.tlsKeyPath == "/etc/le/privkey.pem")
        #expect(!split.generatesCertificateWhenMissing)

        do {
            _ = try Configuration.load(environment: ["SECUREDROP_TLS_CERT": "/etc/le/fullchain.pem"])
            Issue.record("a certificate without a key was accepted")
        } catch {
            #expect(error.description.hasPrefix("SECUREDROP_TLS_KEY: missing or empty; expected"))
            #expect(error.description.contains("since SECUREDROP_TLS_CERT is set"))
        }
        do {
            _ = try Configuration.load(environment: [:], overrides: ["SECUREDROP_TLS_KEY": "/etc/le/privkey.pem"])
            Issue.record("a key without a certificate was accepted")
        } catch {
            #expect(error.description.hasPrefix("SECUREDROP_TLS_CERT: missing or empty; expected"))
            #expect(error.description.contains("since SECUREDROP_TLS_KEY is set"))
        }
    }

    // MARK: Locating .env

    @Test("An explicit --env-file is used as given, and a missing one fails when read")
    func explicitEnvFile() {
        #expect(Configuration.dotEnvPath(explicit: "/etc/securedrop/env", environment: [:]) == "/etc/securedrop/env")
        #expect(throws: ConfigurationError.unreadableFile(path: "/nonexistent/securedrop.env", reason: "no such file")) {
            try Configuration.dotEnvPath(explicit: "/nonexistent/securedrop.env", environment: [:]).map(DotEnvFile.init(path:))
        }
    }
}
