import Foundation
public import Logging

/// Argon2id cost parameters (RFC 9106). Changing them re-hashes each password at its
/// owner's next login.
public struct Argon2Parameters: Sendable, Equatable {
    public var memoryKiB: UInt32
    public var iterations: UInt32
    public var parallelism: UInt32

    public init(memoryKiB: UInt32 = 65536, iterations: UInt32 = 3, parallelism: UInt32 = 1) {
        self.memoryKiB = memoryKiB
        self.iterations = iterations
        self.parallelism = parallelism
    }
}

/// Every setting of a SecureDrop installation, validated.
///
/// Sources, each overriding the one before: built-in defaults, the `.env` file, the
/// process environment, command-line flags. There is deliberately no setting for a
/// password or a signing key: users live in the database and keys in the data directory.
public struct Configuration: Sendable, Equatable {
    /// Address to listen on.
    public var host = "127.0.0.1"
    /// TCP port; 0 picks a free one (tests).
    public var port = 8443
    /// Extra DNS names for the generated self-signed certificate.
    public var serverNames: [String] = []
    /// Where the database, key ring and files live.
    public var dataDirectory = "securedrop-data"
    public var tlsCertificatePath = "certs/cert.pem"
    public var tlsKeyPath = "certs/key.pem"
    /// True only when no certificate was named: then a missing pair is generated. An
    /// operator who names a certificate that is missing gets an error, not a surprise.
    public var generatesCertificateWhenMissing = true
    public var sessionTTL: Duration = .seconds(30 * 60)
    public var maxUploadBytes: Int64 = 10 * 1024 * 1024 * 1024
    public var argon2 = Argon2Parameters()
    public var logLevel: Logger.Level = .info
    /// Peers whose `X-Forwarded-For` is believed (addresses or CIDR blocks).
    public var trustedProxies: [String] = []
    public var handshakeTimeout: Duration = .seconds(10)
    public var idleTimeout: Duration = .seconds(60)
    public var shutdownGracePeriod: Duration = .seconds(30)
    public var maxConnections = 1024

    /// All defaults.
    public init() {}

    /// Reads and validates the settings from every source.
    ///
    /// - Parameters:
    ///   - environment: the process environment.
    ///   - dotEnv: the parsed `.env` file, if any.
    ///   - overrides: command-line flags, already named by their keys.
    public static func load(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        dotEnv: DotEnvFile? = nil,
        overrides: [String: String] = [:]
    ) throws(ConfigurationError) -> Configuration {
        var merged: [String: String] = [:]
        let sources: [(name: String, values: [String: String])] = [
            (dotEnv?.path ?? ".env", dotEnv?.values ?? [:]),
            ("the environment", environment),
            ("command-line flags", overrides),
        ]
        for source in sources {
            for (key, value) in source.values {
                if let reason = forbiddenKeys[key] { throw .forbiddenKey(key: key, reason: reason) }
                guard key.hasPrefix("SECUREDROP_") else { continue }
                guard ConfigurationKey.named(key) != nil || ignoredKeys.contains(key) else {
                    throw .unknownKey(key: key, source: source.name)
                }
                merged[key] = value
            }
        }

        var configuration = Configuration()
        for key in ConfigurationKey.all {
            if let value = merged[key.name] {
                try key.apply(value, &configuration)
            }
        }
        // Naming one half of a pair is a mistake: say which half is missing.
        switch (merged["SECUREDROP_TLS_CERT"], merged["SECUREDROP_TLS_KEY"]) {
        case (nil, nil):
            configuration.generatesCertificateWhenMissing = true
        case (_?, _?):
            configuration.generatesCertificateWhenMissing = false
        case (_?, nil):
            throw .invalidValue(key: "SECUREDROP_TLS_KEY", value: "", expected: "a private key path, since SECUREDROP_TLS_CERT is set")
        case (nil, _?):
            throw .invalidValue(key: "SECUREDROP_TLS_CERT", value: "", expected: "a certificate path, since SECUREDROP_TLS_KEY is set")
        }
        return configuration
    }

    /// Which `.env` to read: the one named on the command line (which must exist), else
    /// `./.env` when present, else none.
    public static func dotEnvPath(explicit: String?, environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        if let explicit { return explicit }
        return FileManager.default.fileExists(atPath: ".env") ? ".env" : nil
    }

    /// Names the seed tutorial (and habit) put secrets under; refusing them loudly beats a
    /// server that silently ignores what its operator thinks is the admin password.
    static let forbiddenKeys: [String: String] = {
        let users = "users are stored as Argon2id hashes in the database; add one with `securedrop-admin user add NAME`"
        let keys = "signing keys live in the data directory's key ring; rotate them with `securedrop-admin secret rotate`"
        return [
            "S_USERNAME": users, "S_PASSWORD": users, "SECUREDROP_PASSWORD": users,
            "SECUREDROP_ADMIN_PASSWORD": users, "SECUREDROP_USERNAME": users,
            "FLASK_SECRET_KEY": keys, "SECUREDROP_SECRET_KEY": keys, "SECUREDROP_JWT_SECRET": keys,
        ]
    }()

    /// Names the process may carry for tooling (the CLI's server URL) without being a typo.
    static let ignoredKeys: Set<String> = ["SECUREDROP_URL", "SECUREDROP_SERVER_BINARY"]
}
