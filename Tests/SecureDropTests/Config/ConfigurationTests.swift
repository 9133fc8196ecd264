import Foundation
import Logging
import Testing
@testable import SecureDrop

@Suite("Configuration")
struct ConfigurationTests {
    @Test("Defaults match SPEC §9 and the documented defaults")
    func defaults() throws {
        let configuration = try Configuration.load(environment: [:])
        #expect(configuration == Configuration())
        #expect(configuration.port == 8443)
        #expect(configuration.host == "127.0.0.1")
        #expect(configuration.sessionTTL == .seconds(1800))
        #expect(configuration.maxUploadBytes == 10 * 1024 * 1024 * 1024)
        #expect(configuration.argon2 == Argon2Parameters(memoryKiB: 65536, iterations: 3, parallelism: 1))
        #expect(configuration.generatesCertificateWhenMissing)
        // Every documented default parses to the built-in default.
        let documented = Dictionary(uniqueKeysWithValues: ConfigurationKey.all.filter { !$0.defaultValue.isEmpty }.map { ($0.name, $0.defaultValue) })
        var fromDocs = try Configuration.load(environment: documented.filter { !$0.key.hasPrefix("SECUREDROP_TLS_") })
        fromDocs.generatesCertificateWhenMissing = true
        #expect(fromDocs == Configuration())
    }

    @Test("Precedence: defaults < .env < environment < flags")
    func precedence() throws {
        let dotEnv = try DotEnvFile(contents: "SECUREDROP_PORT=1001\nSECUREDROP_HOST=0.0.0.0\nSECUREDROP_LOG_LEVEL=debug\n", path: ".env")
        let configuration = try Configuration.load(
            environment: ["SECUREDROP_PORT": "1002", "SECUREDROP_HOST": "::"],
            dotEnv: dotEnv,
            overrides: ["SECUREDROP_PORT": "1003"]
        )
        #expect(configuration.port == 1003)
        #expect(configuration.host == "::")
        #expect(configuration.logLevel == .debug)
        #expect(configuration.dataDirectory == "securedrop-data")
    }

    @Test("Every invalid value is reported with the key's name first", arguments: [
        ("SECUREDROP_PORT", "eighty"), ("SECUREDROP_PORT", "65536"), ("SECUREDROP_PORT", "-1"),
        ("SECUREDROP_HOST", "not a host"), ("SECUREDROP_SERVER_NAME", "bad_name.example"),
        ("SECUREDROP_DATA_DIR", ""), ("SECUREDROP_SESSION_TTL", "10"), ("SECUREDROP_SESSION_TTL", "8d"),
        ("SECUREDROP_SESSION_TTL", "30x"), ("SECUREDROP_MAX_UPLOAD_BYTES", "0"), ("SECUREDROP_MAX_UPLOAD_BYTES", "huge"),
        ("SECUREDROP_MAX_UPLOAD_BYTES", "99999999999TiB"), ("SECUREDROP_ARGON2_MEMORY_KIB", "1024"),
        ("SECUREDROP_ARGON2_ITERATIONS", "0"), ("SECUREDROP_ARGON2_PARALLELISM", "65"), ("SECUREDROP_LOG_LEVEL", "loud"),
        ("SECUREDROP_TRUSTED_PROXIES", "10.0.0.0/33"), ("SECUREDROP_TRUSTED_PROXIES", "proxy.local"),
        ("SECUREDROP_HANDSHAKE_TIMEOUT", "0s"), ("SECUREDROP_IDLE_TIMEOUT", "2h"), ("SECUREDROP_SHUTDOWN_GRACE", "-5"),
        ("SECUREDROP_MAX_CONNECTIONS", "0"),
    ])
    func invalidValues(key: String, value: String) {
        do {
            _ = try Configuration.load(environment: [key: value])
            Issue.record("\(key)=\(value) was accepted")
        } catch {
            #expect(error.description.hasPrefix("\(key): "), "\(error)")
            guard case .invalidValue(let reportedKey, _, _) = error else {
                Issue.record("unexpected error \(error)")
                return
            }
            #expect(reportedKey == key)
        }
    }

    @Test("Durations accept seconds and s/m/h units")
    func durations() throws {
        #expect(try Configuration.load(environment: ["SECUREDROP_SESSION_TTL": "90"]).sessionTTL == .seconds(90))
        #expect(try Configuration.load(environment: ["SECUREDROP_SESSION_TTL": "45m"]).sessionTTL == .seconds(2700))
        #expect(try Configuration.load(environment: ["SECUREDROP_SESSION_TTL": "2H"]).sessionTTL == .seconds(7200))
        #expect(try Configuration.load(environment: ["SECUREDROP_SHUTDOWN_GRACE": "0"]).shutdownGracePeriod == .zero)
    }

    @Test("Sizes: binary and decimal units, overflow refused")
    func sizes() throws {
        let cases: [(String, Int64)] = [
            ("1", 1), ("512KiB", 512 << 10), ("500MiB", 500 << 20), ("2g", 2 << 30), ("1TiB", 1 << 40),
            ("3KB", 3000), ("5 MB", 5_000_000), ("1GB", 1_000_000_000), ("10GiB", 10 << 30),
        ]
        for (text, bytes) in cases {
            #expect(try Configuration.load(environment: ["SECUREDROP_MAX_UPLOAD_BYTES": text]).maxUploadBytes == bytes, "\(text)")
        }
        #expect(throws: ConfigurationError.self) {
            try Configuration.load(environment: ["SECUREDROP_MAX_UPLOAD_BYTES": "9223372036854775807K"])
        }
    }

    @Test("Lists: server names and trusted proxies")
    func lists() throws {
        let configuration = try Configuration.load(environment: [
            "SECUREDROP_SERVER_NAME": "files.example.org, drop.example.org",
            "SECUREDROP_TRUSTED_PROXIES": "10.0.0.0/8,192.168.1.7, ::1, fd00::/8",
        ])
        #expect(configuration.serverNames == ["files.example.org", "drop.example.org"])
        #expect(configuration.trustedProxies == ["10.0.0.0/8", "192.168.1.7", "::1", "fd00::/8"])
    }

    @Test("A typo in a SECUREDROP_ name is an error, other variables are ignored")
    func unknownKeys() throws {
        #expect(throws: ConfigurationError.unknownKey(key: "SECUREDROP_PROT", source: "the environment")) {
            try Configuration.load(environment: ["SECUREDROP_PROT": "9000"])
        }
        let dotEnv = try DotEnvFile(contents: "SECUREDROP_DATADIR=/srv\n", path: "/etc/securedrop.env")
        #expect(throws: ConfigurationError.unknownKey(key: "SECUREDROP_DATADIR", source: "/etc/securedrop.env")) {
            try Configuration.load(environment: [:], dotEnv: dotEnv)
        }
        #expect(try Configuration.load(environment: ["PATH": "/bin", "HOME": "/root", "SECUREDROP_URL": "https://x"]) == Configuration())
    }

    @Test("Plaintext credentials in the environment are refused, with the way to do it instead", arguments: [
        "S_USERNAME", "S_PASSWORD", "FLASK_SECRET_KEY", "SECUREDROP_PASSWORD", "SECUREDROP_ADMIN_PASSWORD", "SECUREDROP_SECRET_KEY", "SECUREDROP_JWT_SECRET",
    ])
    func forbiddenKeys(key: String) {
        do {
            _ = try Configuration.load(environment: [key: "hunter2"])
            Issue.record("\(key) was accepted")
        } catch {
            #expect(error.description.hasPrefix(key))
            #expect(error.description.contains("securedrop-admin"))
            #expect(!error.description.contains("hunter2"))
        }
    }

    @Test("Certificate and key are named together or not at all")
    func certificatePair() throws {
        let both = try Configuration.load(environment: ["SECUREDROP_TLS_CERT": "/etc/le/fullchain.pem", "SECUREDROP_TLS_KEY": "/etc/le/privkey.pem"])
        #expect(both.tlsCertificatePath == "/etc/le/fullchain.pem")
        #expect(both.tlsKeyPath == "/etc/le/privkey.pem")
        #expect(!both.generatesCertificateWhenMissing)
        do {
            _ = try Configuration.load(environment: ["SECUREDROP_TLS_CERT": "/etc/le/fullchain.pem"])
            Issue.record("a certificate without a key was accepted")
        } catch {
            #expect(error.description.hasPrefix("SECUREDROP_TLS_KEY: "))
        }
        do {
            _ = try Configuration.load(environment: ["SECUREDROP_TLS_KEY": "/etc/le/privkey.pem"])
            Issue.record("a key without a certificate was accepted")
        } catch {
            #expect(error.description.hasPrefix("SECUREDROP_TLS_CERT: "))
        }
    }

    @Test(".env.example documents every setting with its default")
    func envExampleIsComplete() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let example = try String(contentsOf: root.appendingPathComponent(".env.example"), encoding: .utf8)
        for key in ConfigurationKey.all {
            #expect(example.contains("# \(key.name)=\(key.defaultValue)\n"), "\(key.name) missing from .env.example")
        }
        // And the example itself is a valid .env (everything commented out).
        let parsed = try DotEnvFile(contents: example, path: ".env.example")
        #expect(parsed.values.isEmpty)
    }
}
